package org.glusterj.xlators.mount.fuse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.glusterj.core.Inode;

/**
 * Open files whose last name was removed (unlink, or a rename over them), under the name libfuse
 * moved them to.
 *
 * <p>Why: libfuse's high-level API addresses every request by path, and a node without a name
 * has none, so with hard_remove fstat(2) of an unlinked open file fails with ENOENT (the kernel's
 * GETATTR for fstat carries no file handle). Without hard_remove libfuse renames such a file to
 * {@code .fuse_hiddenNNNNNNNNMMMMMMMM} in its directory, keeps serving it by that path, and
 * unlinks that name at the last release. We keep the hidden name in this client only: the rename
 * becomes an unlink on the bricks (which keep an unlinked file while fds are open on it) and the
 * name maps to the file's inode, addressed by gfid from then on. No other client sees the name and
 * a crash leaves nothing behind on the bricks.
 */
final class HiddenFiles {
    /** libfuse's hidden_name(): ".fuse_hidden" + node id and counter, 8 hex digits each. */
    private static final Pattern HIDDEN_NAME = Pattern.compile("\\.fuse_hidden[0-9a-f]{16}");

    private final Map<String, Inode> byPath = new ConcurrentHashMap<>();

    static boolean isHiddenName(String path) {
        return path != null && HIDDEN_NAME.matcher(path.substring(path.lastIndexOf('/') + 1)).matches();
    }

    /** The file hidden at this path, or null. */
    Inode get(String path) {
        return path == null ? null : byPath.get(path);
    }

    /** Takes over a table reference on {@code inode}, given back by {@link #remove} or {@link #drain}. */
    void add(String path, Inode inode) {
        byPath.put(path, inode);
    }

    Inode remove(String path) {
        return path == null ? null : byPath.remove(path);
    }

    List<Inode> drain() {
        List<Inode> all = new ArrayList<>();
        for (String p : List.copyOf(byPath.keySet())) {
            Inode i = byPath.remove(p);
            if (i != null) all.add(i);
        }
        return all;
    }
}
