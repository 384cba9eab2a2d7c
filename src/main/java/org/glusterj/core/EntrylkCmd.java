package org.glusterj.core;

/** What an entrylk asks for, as GlusterFS's entrylk_cmd: wait for the lock, try it once, or let it go. */
public enum EntrylkCmd {
    LOCK, LOCK_NB, UNLOCK;

    private static final EntrylkCmd[] ALL = values();

    /** The command with wire number {@code code} (its ordinal); EINVAL for anything else. */
    public static EntrylkCmd of(int code) {
        if (code < 0 || code >= ALL.length) throw Errno.EINVAL.exception("entrylk command " + code + "; use 0 LOCK, 1 LOCK_NB or 2 UNLOCK");
        return ALL[code];
    }
}
