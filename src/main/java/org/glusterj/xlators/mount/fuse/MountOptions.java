package org.glusterj.xlators.mount.fuse;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the libfuse argument list: our default {@code -o} options, then the settings' extra
 * options, then the caller's arguments; for the same key the later one wins. A default flag can
 * be dropped with "no" + its name (e.g. {@code -o noallow_other}), since libfuse has no way to
 * switch a flag off once given. Arguments other than {@code -o} (e.g. {@code -s}) pass through.
 */
final class MountOptions {
    /** Default flags that a "no"-prefixed option removes. */
    static final Set<String> REMOVABLE_FLAGS = Set.of("big_writes", "allow_other", "default_permissions",
            "auto_unmount", "hard_remove", "use_ino", "readdir_ino", "intr", "auto_cache");

    /**
     * The signal libfuse sends a worker thread whose request the kernel interrupted: SIGRTMIN+10,
     * which nothing in the JVM handles (libfuse installs an empty handler for it).
     */
    static final String INTR_SIGNAL = "44";

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> otherArgs = new ArrayList<>();

    private MountOptions() {
    }

    /**
     * Why these defaults: big_writes and 1 MiB max_write/max_read cut write upcalls 256-fold
     * (reference/jnr-fuse.md; above 128 KiB only with {@link LargeRequests}); the timeouts are
     * GlusterFS fuse's (1 s, and no negative caching because another client may create a name at
     * any time); allow_other and
     * default_permissions let every user use the mount with the kernel checking modes;
     * auto_unmount removes the mount if the client is killed (it makes libfuse mount through
     * fusermount, which always adds nodev,nosuid); no hard_remove: libfuse then keeps a path for an
     * unlinked open file, which fstat needs, and FuseBridge turns its .fuse_hidden rename into an
     * unlink on the bricks and a client-only name (HiddenFiles); use_ino and readdir_ino so that
     * stat and readdir show the gfid-derived inode number, the same for every name of a hard link
     * and on every client (libfuse would number each path itself); intr so that a process blocked
     * in F_SETLKW can be interrupted (see FuseBridge.awaitLock), with a real-time signal since
     * libfuse's default SIGUSR1 is the client's io-stats dump; auto_cache with ac_attr_timeout 0
     * so that the kernel keeps a file's pages from one open to the next while its mtime and size
     * are unchanged (libfuse asks for them at every open, which md-cache answers, exact thanks to
     * the bricks' upcalls): reading an unchanged file again costs no READ, and another client's
     * change is seen at the next open, as NFS's close-to-open consistency has it.
     */
    static MountOptions defaults(FuseBridge.Settings s) {
        MountOptions m = new MountOptions();
        m.put("fsname", "glusterj:" + s.volumeName());
        m.put("subtype", "glusterj");
        m.put("big_writes", null);
        m.put("max_write", String.valueOf(LargeRequests.MAX_REQUEST_DATA));
        m.put("max_read", String.valueOf(LargeRequests.MAX_REQUEST_DATA));
        m.put("attr_timeout", seconds(s.attrTimeout()));
        m.put("entry_timeout", seconds(s.entryTimeout()));
        m.put("negative_timeout", "0");
        m.put("allow_other", null);
        m.put("default_permissions", null);
        m.put("auto_unmount", null);
        m.put("use_ino", null);
        m.put("readdir_ino", null);
        m.put("intr", null);
        m.put("intr_signal", INTR_SIGNAL);
        m.put("auto_cache", null);
        m.put("ac_attr_timeout", "0");
        if (s.extraOptions() != null && !s.extraOptions().isBlank()) m.addOptionList(s.extraOptions());
        return m;
    }

    /** Adds command-line style arguments: "-o a,b=c", "-oa,b", or anything else passed through. */
    MountOptions addArgs(String[] args) {
        if (args == null) return this;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a == null) throw new IllegalArgumentException("mount argument " + i + " is null");
            if (a.equals("-o")) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("\"-o\" must be followed by options, e.g. -o ro");
                addOptionList(args[++i]);
            } else if (a.startsWith("-o")) {
                addOptionList(a.substring(2));
            } else {
                otherArgs.add(a);
            }
        }
        return this;
    }

    MountOptions addOptionList(String list) {
        for (String opt : list.split(",")) {
            String o = opt.trim();
            if (o.isEmpty()) continue;
            int eq = o.indexOf('=');
            if (eq == 0) throw new IllegalArgumentException("mount option \"" + o + "\" has no name before '='");
            if (eq > 0) put(o.substring(0, eq), o.substring(eq + 1));
            else if (o.startsWith("no") && REMOVABLE_FLAGS.contains(o.substring(2))) options.remove(o.substring(2));
            else put(o, null);
        }
        return this;
    }

    MountOptions remove(String key) {
        options.remove(key);
        return this;
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    String get(String key) {
        return options.get(key);
    }

    private void put(String key, String value) {
        options.remove(key); // re-insert so the order shows which one won
        options.put(key, value);
    }

    /** The joined -o value, e.g. "fsname=glusterj:v,big_writes,…". */
    String optionString() {
        StringBuilder sb = new StringBuilder();
        options.forEach((k, v) -> {
            if (sb.length() > 0) sb.append(',');
            sb.append(k);
            if (v != null) sb.append('=').append(v);
        });
        return sb.toString();
    }

    /** The arguments for libfuse after the mountpoint. */
    String[] toArgs() {
        List<String> out = new ArrayList<>();
        if (!options.isEmpty()) {
            out.add("-o");
            out.add(optionString());
        }
        out.addAll(otherArgs);
        return out.toArray(String[]::new);
    }

    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }
}
