package org.glusterj.core;

/** The answer of lk: for F_GETLK the conflicting lock (type F_UNLCK if none), else the lock granted. */
public record LkReply(Flock flock, Xdata xdata) {
    public LkReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
