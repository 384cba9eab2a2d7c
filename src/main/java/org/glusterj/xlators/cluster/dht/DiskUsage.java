package org.glusterj.xlators.cluster.dht;

import org.glusterj.core.Statvfs;

/**
 * The min-free-disk / min-free-inodes rule: a subvolume is short of space when its free space or
 * free inodes fall below the configured minimum. Either a percentage or, for space, a byte count.
 */
record DiskUsage(double minFreePercent, long minFreeBytes, double minFreeInodesPercent) {

    /** Parses min-free-disk as GlusterFS does: "N%" or a number below 100 is a percentage, else bytes. */
    static DiskUsage of(String minFreeDisk, String minFreeInodes) {
        double pct = -1;
        long bytes = -1;
        String d = minFreeDisk.trim();
        if (d.endsWith("%")) {
            pct = percent(d, "min-free-disk");
        } else {
            long n = org.glusterj.options.Option.parseSize(d);
            if (n < 100 && d.chars().allMatch(Character::isDigit)) pct = n;
            else bytes = n;
        }
        return new DiskUsage(pct, bytes, percent(minFreeInodes.trim(), "min-free-inodes"));
    }

    static double percent(String v, String what) {
        String s = v.endsWith("%") ? v.substring(0, v.length() - 1).trim() : v;
        double p;
        try {
            p = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " \"" + v + "\" is not a percentage like 10%");
        }
        if (p < 0 || p > 100 || Double.isNaN(p)) {
            throw new IllegalArgumentException(what + " \"" + v + "\" is outside 0%..100%");
        }
        return p;
    }

    boolean shortOfSpace(Statvfs s) {
        if (s == null || s.blocks() <= 0) return false;
        if (minFreePercent >= 0 && 100.0 * s.bavail() / s.blocks() < minFreePercent) return true;
        if (minFreeBytes >= 0 && s.bavail() * Math.max(1, s.frsize()) < minFreeBytes) return true;
        return s.files() > 0 && 100.0 * s.favail() / s.files() < minFreeInodesPercent;
    }
}
