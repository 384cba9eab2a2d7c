package org.glusterj.xlators.mount.fuse;

/** A mount could not be set up; the message is one line saying why and what to do. */
public final class MountException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MountException(String message) {
        super(message);
    }

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
