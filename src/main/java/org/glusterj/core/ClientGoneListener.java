package org.glusterj.core;

/**
 * Implemented by brick xlators that keep per-client state (GlusterFS's client_destroy callback):
 * protocol/server calls it on every xlator below it that implements it when a client's
 * connection ends, after releasing that connection's fds.
 */
public interface ClientGoneListener {
    /** @param client the connection, as {@link Fd#client()} names it */
    void clientGone(String client);
}
