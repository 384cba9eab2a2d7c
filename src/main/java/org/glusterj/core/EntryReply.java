package org.glusterj.core;

/**
 * The answer of lookup and of fops that create an entry (create, mkdir, mknod, symlink, link):
 * the object's attributes and its parent's before and after. preParent may be null for lookup.
 */
public record EntryReply(Iatt attr, Iatt preParent, Iatt postParent, Xdata xdata) {
    public EntryReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
