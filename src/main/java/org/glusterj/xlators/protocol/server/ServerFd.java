package org.glusterj.xlators.protocol.server;

import org.glusterj.core.Fd;

/** An fd a client holds open on this brick, under the id the client uses for it. */
record ServerFd(long id, Fd fd, boolean directory) {
}
