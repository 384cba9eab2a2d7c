package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;

/**
 * One decoded frame: its header, and the body still to decode (positioned after the header,
 * followed by any bulk data). Whoever handles the message releases it once done with the body.
 */
public final class RpcMessage {
    private final int kind;
    private final int xid;
    private final Proc proc;
    private final Caller caller;
    private final int errno;
    private final String error;
    private final ByteBuf body;

    RpcMessage(int kind, int xid, Proc proc, Caller caller, int errno, String error, ByteBuf body) {
        this.kind = kind;
        this.xid = xid;
        this.proc = proc;
        this.caller = caller;
        this.errno = errno;
        this.error = error;
        this.body = body;
    }

    public boolean isCall() {
        return kind == RpcCodec.KIND_CALL;
    }

    /** A one-way message from the server ({@link RpcCodec#KIND_NOTIFY}), such as an upcall. */
    public boolean isNotify() {
        return kind == RpcCodec.KIND_NOTIFY;
    }

    public int xid() {
        return xid;
    }

    public Proc proc() {
        return proc;
    }

    /** The caller's identity; null for a reply. */
    public Caller caller() {
        return caller;
    }

    /** 0 for a successful reply (and for calls), else the Linux errno. */
    public int errno() {
        return errno;
    }

    public boolean failed() {
        return errno != 0;
    }

    /** The failure of a failed reply, with the server's explanation when it gave one. */
    public FopException failure() {
        return new FopException(Errno.of(errno), error);
    }

    public String error() {
        return error;
    }

    public ByteBuf body() {
        return body;
    }

    public void release() {
        body.release();
    }

    @Override
    public String toString() {
        return (isCall() ? "CALL " : isNotify() ? "NOTIFY " : "REPLY ") + proc + " xid=" + xid + (errno != 0 ? " errno=" + errno : "");
    }
}
