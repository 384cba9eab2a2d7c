package org.glusterj.core;

/**
 * Graph events. PARENT_* travel down from the top, the others travel up from protocol/client as
 * bricks connect and disconnect. A cluster xlator that stays up while one of its subvolumes goes
 * down reports SOME_DESCENDENT_DOWN (GlusterFS's GF_EVENT_SOME_DESCENDENT_DOWN) instead of
 * swallowing it: what that brick held is unreachable now, so caches above must not serve it.
 */
public enum Event {
    PARENT_UP, PARENT_DOWN, CHILD_UP, CHILD_DOWN, CHILD_CONNECTING, SOME_DESCENDENT_DOWN;

    public boolean travelsDown() {
        return this == PARENT_UP || this == PARENT_DOWN;
    }

    /**
     * Whether some brick below went or came: caches drop everything, since what a lost brick held
     * must not be served and the invalidation notices of the time it was away are lost.
     */
    public boolean changesReachableBricks() {
        return this == CHILD_UP || this == CHILD_DOWN || this == SOME_DESCENDENT_DOWN;
    }
}
