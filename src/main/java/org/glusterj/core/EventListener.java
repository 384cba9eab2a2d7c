package org.glusterj.core;

/** Receives the events that leave the top of a graph (the FUSE bridge, the brick's server). */
@FunctionalInterface
public interface EventListener {
    void onEvent(Event event, Xlator source);
}
