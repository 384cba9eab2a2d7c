package org.glusterj.core;

/** The answer of a fop that returns nothing but success (open, flush, setxattr, access, …). */
public record Done(Xdata xdata) {
    public static final Done OK = new Done(Xdata.EMPTY);
}
