package org.glusterj.core;

/**
 * Graph events. PARENT_* travel down from the top, CHILD_* travel up from protocol/client as
 * bricks connect and disconnect.
 */
public enum Event {
    PARENT_UP, PARENT_DOWN, CHILD_UP, CHILD_DOWN, CHILD_CONNECTING;

    public boolean travelsDown() {
        return this == PARENT_UP || this == PARENT_DOWN;
    }
}
