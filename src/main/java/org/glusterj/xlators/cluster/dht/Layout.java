package org.glusterj.xlators.cluster.dht;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.glusterj.core.Errno;

/**
 * A directory's layout: for each subvolume (in the distribute xlator's subvolume order) the hash
 * range of the names it holds, stored with the directory on that subvolume as the xattr
 * {@code trusted.glusterfs.dht}. Immutable.
 *
 * <p>A subvolume whose directory has no layout xattr, or a zero range, takes no part (as after
 * add-brick before fix-layout); one whose lookup failed carries its errno.
 */
public final class Layout {
    public static final int TYPE_DM = 0;
    public static final int TYPE_DM_USER = 1;
    public static final long MAX_HASH = 0xffffffffL;
    /** Size of the on-disk value: commit hash, type, start, stop, each a big-endian u32. */
    public static final int DISK_SIZE = 16;

    /**
     * One subvolume's part. {@code error} is null when the directory exists there; then
     * [start, stop] is its range (both 0 when it has none). Hash values are unsigned, held in longs.
     */
    public record Entry(Errno error, long start, long stop, int commitHash, int type) {
        public static Entry range(long start, long stop, int commitHash) {
            return new Entry(null, start, stop, commitHash, TYPE_DM);
        }

        /** The directory exists but has no layout xattr. */
        public static Entry none() {
            return new Entry(null, 0, 0, 0, TYPE_DM);
        }

        public static Entry failed(Errno error) {
            return new Entry(error, 0, 0, 0, TYPE_DM);
        }

        public boolean present() {
            return error == null;
        }

        /** Holds a non-empty range; GlusterFS treats start == stop as "not participating". */
        public boolean participates() {
            return error == null && start != stop;
        }

        public boolean contains(int hash) {
            long h = Integer.toUnsignedLong(hash);
            return participates() && start <= h && h <= stop;
        }

        @Override
        public String toString() {
            if (error != null) return error.name();
            return String.format("0x%08x-0x%08x", start, stop);
        }
    }

    /** What is wrong with a layout, as GlusterFS dht_layout_anomalies counts it. */
    public record Anomalies(int holes, int overlaps, int missing, int down, int misc) {
        /** The ranges do not cover the hash space exactly once: a new layout must be written. */
        public boolean rangesBroken() {
            return holes > 0 || overlaps > 0;
        }
    }

    private final List<Entry> entries;

    public Layout(List<Entry> entries) {
        if (entries.isEmpty()) throw new IllegalArgumentException("a layout needs at least one subvolume");
        this.entries = List.copyOf(entries);
    }

    public int size() {
        return entries.size();
    }

    public Entry entry(int subvol) {
        return entries.get(subvol);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The subvolume whose range holds {@code hash}, or -1 if none does (a hole). */
    public int subvolFor(int hash) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).contains(hash)) return i;
        }
        return -1;
    }

    /** The layout's commit hash if every participating subvolume agrees on one, else 0. */
    public int commitHash() {
        Integer agreed = null;
        for (Entry e : entries) {
            if (!e.participates()) continue;
            if (agreed == null) agreed = e.commitHash();
            else if (agreed != e.commitHash()) return 0;
        }
        return agreed == null ? 0 : agreed;
    }

    public Anomalies anomalies() {
        int missing = 0, down = 0, misc = 0, holes = 0, overlaps = 0;
        List<Entry> ranges = new ArrayList<>();
        for (Entry e : entries) {
            if (e.error() == null) {
                if (e.participates()) ranges.add(e);
            } else if (e.error() == Errno.ENOENT || e.error() == Errno.ESTALE) {
                missing++;
            } else if (e.error() == Errno.ENOTCONN) {
                down++;
            } else {
                misc++;
            }
        }
        ranges.sort(Comparator.comparingLong(Entry::start));
        long next = 0;
        for (Entry e : ranges) {
            if (e.start() > next) holes++;
            if (e.start() < next) overlaps++;
            next = Math.max(next, e.stop() + 1);
        }
        if (next != MAX_HASH + 1) holes++;
        return new Anomalies(holes, overlaps, missing, down, misc);
    }

    /** Subvolumes where the directory is missing (ENOENT/ESTALE). */
    public List<Integer> missingDirectories() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Errno e = entries.get(i).error();
            if (e == Errno.ENOENT || e == Errno.ESTALE) out.add(i);
        }
        return out;
    }

    /**
     * A fresh layout as GlusterFS gives a new directory (dht_selfheal_layout_new_directory):
     * subvolumes are taken in order of their names, starting at {@code rotationHash mod count} so
     * that different directories start on different bricks; the usable ones get equal consecutive
     * slices of 0..0xffffffff from 0 up, the last slice ending at 0xffffffff. Unusable ones get none.
     *
     * @param names        subvolume names, in subvolume order
     * @param usable       which subvolumes take a range (e.g. those that are up), same order
     * @param rotationHash the hash of the directory's path
     */
    public static Layout fresh(List<String> names, List<Boolean> usable, int rotationHash, int commitHash) {
        int n = names.size();
        if (n == 0 || usable.size() != n) {
            throw new IllegalArgumentException("need one usable flag per subvolume, got " + usable.size() + " for " + n);
        }
        Integer[] byName = new Integer[n];
        for (int i = 0; i < n; i++) byName[i] = i;
        // strcmp order: compare the UTF-8 bytes, which for Java strings is code point order.
        java.util.Arrays.sort(byName, Comparator.comparing(names::get, Layout::compareCodePoints));
        int users = 0;
        for (boolean u : usable) if (u) users++;
        boolean all = users == 0; // no subvolume usable: still give every one a range, as GlusterFS does
        if (all) users = n;

        long chunk = MAX_HASH / users;
        int first = (int) (Integer.toUnsignedLong(rotationHash) % n);
        Entry[] out = new Entry[n];
        for (int i = 0; i < n; i++) out[i] = Entry.range(0, 0, commitHash);
        long start = 0;
        int used = 0;
        for (int k = 0; k < n; k++) {
            int sub = byName[(k + first) % n];
            if (!all && !usable.get(sub)) continue;
            used++;
            long stop = used == users ? MAX_HASH : start + chunk - 1;
            out[sub] = Entry.range(start, stop, commitHash);
            start += chunk;
            if (used == users) break;
        }
        return new Layout(List.of(out));
    }

    /**
     * The layout fix-layout gives a directory whose subvolumes changed (GlusterFS
     * dht_fix_layout_of_directory): a fresh layout over the usable subvolumes, whose ranges are then
     * swapped between subvolumes wherever that keeps more of the hash space where it was in {@code old},
     * so that as few files as possible have to move. Applied to its own result it changes nothing.
     */
    public static Layout fixed(List<String> names, List<Boolean> usable, int rotationHash, int commitHash, Layout old) {
        Layout fresh = fresh(names, usable, rotationHash, commitHash);
        int n = names.size();
        if (old.size() != n) throw new IllegalArgumentException("old layout has " + old.size() + " subvolumes, not " + n);
        long[] start = new long[n], stop = new long[n];
        for (int i = 0; i < n; i++) {
            start[i] = fresh.entry(i).start();
            stop[i] = fresh.entry(i).stop();
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.comparing(names::get, Layout::compareCodePoints));
        for (int a = 0; a < n; a++) {
            int i = order[a];
            if (!usable.get(i)) continue;
            long best = 0;
            int bestIdx = i;
            for (int b = a + 1; b < n; b++) {
                int j = order[b];
                if (!usable.get(j)) continue;
                long now = overlap(start[i], stop[i], old.entry(i)) + overlap(start[j], stop[j], old.entry(j));
                long swapped = overlap(start[j], stop[j], old.entry(i)) + overlap(start[i], stop[i], old.entry(j));
                if (swapped > now && swapped - now > best) {
                    best = swapped - now;
                    bestIdx = j;
                }
            }
            if (bestIdx != i) {
                long s0 = start[i], s1 = stop[i];
                start[i] = start[bestIdx];
                stop[i] = stop[bestIdx];
                start[bestIdx] = s0;
                stop[bestIdx] = s1;
            }
        }
        Entry[] out = new Entry[n];
        for (int i = 0; i < n; i++) out[i] = Entry.range(start[i], stop[i], commitHash);
        return new Layout(List.of(out));
    }

    /** How many hash values [start, stop] shares with an old entry's range. */
    private static long overlap(long start, long stop, Entry old) {
        if (start == stop || !old.participates()) return 0;
        long lo = Math.max(start, old.start()), hi = Math.min(stop, old.stop());
        return hi < lo ? 0 : hi - lo + 1;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    // ---- on-disk form ----

    public static byte[] encode(Entry e) {
        return ByteBuffer.allocate(DISK_SIZE)
                .putInt(e.commitHash()).putInt(e.type()).putInt((int) e.start()).putInt((int) e.stop()).array();
    }

    /**
     * Reads a {@code trusted.glusterfs.dht} value.
     *
     * @throws IllegalArgumentException if it is not 16 bytes or names an unknown hash type
     */
    public static Entry decode(byte[] raw) {
        if (raw == null || raw.length != DISK_SIZE) {
            throw new IllegalArgumentException("a layout xattr is " + DISK_SIZE + " bytes, got "
                    + (raw == null ? "none" : raw.length) + "; the directory's layout must be rewritten");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        int commit = b.getInt();
        int type = b.getInt();
        if (type != TYPE_DM && type != TYPE_DM_USER) {
            throw new IllegalArgumentException("layout xattr has unknown hash type " + type
                    + " (known: 0 = dm, 1 = dm-user); the directory's layout must be rewritten");
        }
        long start = Integer.toUnsignedLong(b.getInt());
        long stop = Integer.toUnsignedLong(b.getInt());
        return new Entry(null, start, stop, commit, type);
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && l.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
