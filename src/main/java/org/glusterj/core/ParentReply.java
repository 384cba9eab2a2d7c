package org.glusterj.core;

/** The answer of unlink and rmdir: the parent directory's attributes before and after. */
public record ParentReply(Iatt preParent, Iatt postParent, Xdata xdata) {
    public ParentReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
