package org.glusterj.core;

/**
 * One directory entry. {@code offset} is the cookie to resume the listing after this entry.
 * {@code attr} is filled by readdirp and null for plain readdir.
 */
public record Dirent(String name, long ino, long offset, int type, Iatt attr, Xdata xdata) {
    public Dirent {
        xdata = xdata == null ? Xdata.EMPTY : xdata;
    }
}
