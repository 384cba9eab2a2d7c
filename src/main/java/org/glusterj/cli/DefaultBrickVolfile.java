package org.glusterj.cli;

import java.nio.file.Path;

/** The brick graph {@code --dir} builds: the same text a user would write in a brick volfile. */
final class DefaultBrickVolfile {
    static String render(Path dir, String name, int port, String bind, String allow) {
        return String.join("\n",
                "volume " + quote(name + "-posix"),
                "    type storage/posix",
                "    option directory " + quote(dir.toString()),
                "end-volume",
                "",
                "volume " + quote(name + "-locks"),
                "    type features/locks",
                "    subvolumes " + quote(name + "-posix"),
                "end-volume",
                "",
                "volume " + quote(name + "-iot"),
                "    type performance/io-threads",
                "    subvolumes " + quote(name + "-locks"),
                "end-volume",
                "",
                "volume " + quote(name),
                "    type features/upcall",
                "    option cache-invalidation on",
                "    option cache-invalidation-timeout 600",
                "    subvolumes " + quote(name + "-iot"),
                "end-volume",
                "",
                "volume " + quote(name + "-server"),
                "    type protocol/server",
                "    option transport.socket.listen-port " + port,
                "    option transport.socket.bind-address " + quote(bind),
                "    option auth.addr." + name + ".allow " + quote(allow),
                "    subvolumes " + quote(name),
                "end-volume",
                "");
    }

    /** Volfile words may not contain spaces or quotes unquoted; escaping follows the volfile lexer. */
    private static String quote(String word) {
        return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private DefaultBrickVolfile() {
    }
}
