package org.glusterj.core;

import java.util.HashMap;
import java.util.Map;

/** Linux errno values; they travel on the wire and back to the kernel unchanged. */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11),
    ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), EXDEV(18), ENODEV(19), ENOTDIR(20),
    EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ETXTBSY(26), EFBIG(27), ENOSPC(28), ESPIPE(29),
    EROFS(30), EMLINK(31), EPIPE(32), ERANGE(34), EDEADLK(35), ENAMETOOLONG(36), ENOLCK(37),
    ENOSYS(38), ENOTEMPTY(39), ELOOP(40), ENODATA(61), EPROTO(71), EBADMSG(74), EOVERFLOW(75),
    ENOTSUP(95), ENOTCONN(107), ETIMEDOUT(110), ECONNREFUSED(111), ESTALE(116), EDQUOT(122),
    ECANCELED(125);

    private static final Map<Integer, Errno> BY_CODE = new HashMap<>();
    static {
        for (Errno e : values()) BY_CODE.put(e.code, e);
    }

    public final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The errno for a Linux number; unknown numbers become EIO rather than being lost. */
    public static Errno of(int code) {
        return BY_CODE.getOrDefault(code, EIO);
    }

    public FopException exception() {
        return new FopException(this);
    }

    public FopException exception(String detail) {
        return new FopException(this, detail);
    }
}
