package org.glusterj.core;

/**
 * The answer of fops that change a file in place (writev, truncate, setattr, fsync, fallocate,
 * …): its attributes before and after.
 */
public record ChangeReply(Iatt pre, Iatt post, Xdata xdata) {
    public ChangeReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
