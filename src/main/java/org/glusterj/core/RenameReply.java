package org.glusterj.core;

/** The answer of rename: the renamed object and both parents before and after. */
public record RenameReply(Iatt attr, Iatt preOldParent, Iatt postOldParent,
                          Iatt preNewParent, Iatt postNewParent, Xdata xdata) {
    public RenameReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
