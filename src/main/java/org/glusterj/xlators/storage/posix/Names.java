package org.glusterj.xlators.storage.posix;

import java.nio.charset.StandardCharsets;
import org.glusterj.core.Errno;

/** Validation of the single path components clients send. */
final class Names {
    static final int NAME_MAX = 255;
    static final int PATH_MAX = 4096;

    private Names() {
    }

    /** A name a client may address inside a directory: one non-empty component, not "." or "..". */
    static String check(String name) {
        if (name == null || name.isEmpty()) throw Errno.EINVAL.exception("empty name");
        if (name.indexOf('/') >= 0) throw Errno.EINVAL.exception("name contains '/': " + name);
        if (name.indexOf('\0') >= 0) throw Errno.EINVAL.exception("name contains NUL");
        if (name.equals(".") || name.equals("..")) throw Errno.EINVAL.exception("name may not be \"" + name + "\"");
        if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            throw Errno.ENAMETOOLONG.exception("name longer than " + NAME_MAX + " bytes");
        }
        return name;
    }

    static String checkSymlinkTarget(String target) {
        if (target == null || target.isEmpty()) throw Errno.ENOENT.exception("empty symlink target");
        if (target.indexOf('\0') >= 0) throw Errno.EINVAL.exception("symlink target contains NUL");
        if (target.getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
            throw Errno.ENAMETOOLONG.exception("symlink target longer than " + (PATH_MAX - 1) + " bytes");
        }
        return target;
    }
}
