package org.glusterj.core;

/** The answer of readlink: the target as stored, and the link's attributes. */
public record ReadlinkReply(String target, Iatt attr, Xdata xdata) {
    public ReadlinkReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
