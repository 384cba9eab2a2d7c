package org.glusterj.core;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A fop failed with an errno. Carries no stack trace: ENOENT and EEXIST are routine answers,
 * not bugs, and filling a stack trace for each would dominate metadata-heavy workloads.
 */
public final class FopException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public FopException(Errno errno) {
        this(errno, null);
    }

    public FopException(Errno errno, String detail) {
        super(detail == null ? errno.name() : errno.name() + ": " + detail, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    /**
     * The errno a failure stands for: a FopException's own, anything else is EIO. Unwraps the
     * CompletionException/ExecutionException layers that futures add.
     */
    public static Errno errnoOf(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof FopException fe ? fe.errno : Errno.EIO;
    }

    /** The FopException behind a future's failure, or null if it failed for another reason. */
    public static FopException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof FopException fe ? fe : null;
    }
}
