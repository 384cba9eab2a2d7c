package org.glusterj.core;

import java.util.Map;

/**
 * The answer of getxattr: the named value, or for a listing (name null) every name with its
 * value (values may be empty when only names were wanted).
 */
public record XattrReply(Map<String, byte[]> values, Xdata xdata) {
    public XattrReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
