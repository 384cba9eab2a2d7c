package org.glusterj.core;

/** The answer of statfs. */
public record StatfsReply(Statvfs statvfs, Xdata xdata) {
    public StatfsReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
