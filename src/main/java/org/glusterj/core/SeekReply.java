package org.glusterj.core;

/** The answer of seek (SEEK_DATA / SEEK_HOLE): the offset found. */
public record SeekReply(long offset, Xdata xdata) {
    public SeekReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
