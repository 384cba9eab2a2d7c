package org.glusterj.core;

import java.util.List;

/** The answer of readdir and readdirp; an empty list means the end of the directory. */
public record ReaddirReply(List<Dirent> entries, Xdata xdata) {
    public ReaddirReply {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
