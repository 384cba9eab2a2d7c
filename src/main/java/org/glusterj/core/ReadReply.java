package org.glusterj.core;

import io.netty.buffer.ByteBuf;

/**
 * The answer of readv. {@code data} holds the bytes read (fewer than asked at end of file); whoever
 * consumes the reply last releases it, as Netty's reference counting expects.
 */
public record ReadReply(ByteBuf data, Iatt attr, Xdata xdata) {
    public ReadReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
