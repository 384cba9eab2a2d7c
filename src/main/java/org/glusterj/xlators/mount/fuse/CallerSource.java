package org.glusterj.xlators.mount.fuse;

import org.glusterj.core.Caller;

/**
 * Who the current FUSE request is from. The real source reads libfuse's per-thread request
 * context; tests substitute a fixed caller since there is no request outside a mount.
 */
@FunctionalInterface
interface CallerSource {
    /** The caller of the request this thread is serving (lock owner 0). */
    Caller current();
}
