package org.glusterj.core;

/** statvfs(3) of a brick or, summed, of a volume. */
public record Statvfs(long bsize, long frsize, long blocks, long bfree, long bavail,
                      long files, long ffree, long favail, long fsid, long flag, long namemax) {
}
