package org.glusterj.core;

/** The answer of stat and fstat. */
public record AttrReply(Iatt attr, Xdata xdata) {
    public AttrReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
