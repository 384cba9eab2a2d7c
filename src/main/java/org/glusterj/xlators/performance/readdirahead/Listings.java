package org.glusterj.xlators.performance.readdirahead;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.glusterj.core.Dirent;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Xdata;

/**
 * Complete directory listings kept for later opendirs: for a limited time from when the bricks
 * last vouched for them, within a limit of bytes, least recently used dropped first.
 *
 * <p>A kept listing follows this client's own changes to the directory's names ({@link #added},
 * {@link #removed}) instead of being read again, as long as no other change to names (by this
 * client, or announced by an upcall) overlapped it; when one did, it is dropped, since replies
 * may complete in another order than the bricks applied the changes. A listing read from the
 * bricks while any name changed is not kept, as it may have missed the change.
 *
 * <p>Guarded by its own monitor; {@link #changes} only grows.
 */
final class Listings {
    private final long limit;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private long changes;
    private final LinkedHashMap<Gfid, Kept> kept = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /** One directory's names, in listing order, and what they weigh. */
    private static final class Kept {
        final LinkedHashMap<String, Dirent> byName = new LinkedHashMap<>();
        final long expiresAt;
        long bytes;
        /** The entries numbered as handed out, until the next change; null when not built. */
        Numbered numbered;

        Kept(long expiresAt) {
            this.expiresAt = expiresAt;
            this.bytes = LISTING_OVERHEAD;
        }
    }

    Listings(long limit, long timeoutNanos, LongSupplier clock) {
        this.limit = limit;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    long limit() {
        return timeoutNanos > 0 ? limit : 0;
    }

    long now() {
        return clock.getAsLong();
    }

    /** A counter of changes to names, to tell whether something was read or done while nothing else changed. */
    synchronized long changes() {
        return changes;
    }

    /**
     * What an entry counts for against a reply's size (and the read-ahead watermarks): about what
     * the kernel's listing buffer takes for it. Not its memory: see {@link #heapBytes}.
     */
    static long weight(Dirent d) {
        return 64 + d.name().length() * 2L;
    }

    /*
     * Heap bytes, estimated for a 64-bit JVM with compressed oops (Java 17's default below 32 GB
     * of heap: 12-byte object headers, 4-byte references, objects padded to 8 bytes). Measured
     * (heap used after GC, 200 listings of 1,000 entries with 8-, 20- and 40-character names):
     * 197, 213 and 229 bytes per entry once numbered, which the estimate below (204, 220, 236)
     * follows within 4%; the old count (64 + 2 per character) said 80, 104 and 144, so about
     * twice the limit was really used. 50,000 listings of 2 entries: 370 measured, 380 counted.
     */
    /** A Dirent record: header, name, ino, offset, type, attr and xdata fields. */
    private static final int DIRENT = 48;
    /** A String without its bytes: header, value, hash, coder, hashIsZero. */
    private static final int STRING = 24;
    /** A byte[] or long[] header (with its length). */
    private static final int ARRAY = 16;
    /** A LinkedHashMap entry (hash, key, value, next, before, after). */
    private static final int MAP_ENTRY = 40;
    /** A hash table slot per entry, the table being 1.33 to 2.67 times the entries. */
    private static final int TABLE_SLOT = 8;
    /** In the numbered copy: the entry again (another offset), a list slot and a long of {@code ends}. */
    private static final int NUMBERED = DIRENT + 4 + 8;
    /**
     * One kept listing apart from its entries: the Kept object, its LinkedHashMap and a small
     * table, the outer map's entry and Gfid key, and the numbered copy's record, lists and arrays.
     */
    static final int LISTING_OVERHEAD = 352;

    /**
     * The heap bytes a kept entry takes, as estimated above: itself and its name, its slot in the
     * listing's map, its numbered copy and its xdata (kept listings have no attributes). This is
     * what {@code rda-cache-limit} counts.
     */
    static long heapBytes(Dirent d) {
        return DIRENT + stringBytes(d.name()) + MAP_ENTRY + TABLE_SLOT + NUMBERED + xdataBytes(d.xdata());
    }

    /** A String with its bytes: one per character when all are Latin-1 (compact strings), else two. */
    private static long stringBytes(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                n = 2 * s.length();
                break;
            }
        }
        return STRING + pad(ARRAY + n);
    }

    /**
     * A non-empty xdata: the Xdata, its unmodifiable wrapper, a LinkedHashMap with its table, and
     * per value a map entry, the key and the value array. The empty one is shared.
     */
    private static long xdataBytes(Xdata x) {
        if (x == null || x.isEmpty()) return 0;
        long bytes = 16 + 16 + 56 + ARRAY + 4L * 16;
        for (Map.Entry<String, byte[]> e : x.asMap().entrySet()) {
            bytes += MAP_ENTRY + stringBytes(e.getKey()) + pad(ARRAY + e.getValue().length);
        }
        return bytes;
    }

    private static long pad(long bytes) {
        return (bytes + 7) & ~7L;
    }

    /**
     * A kept listing as handed out: entry i (from 0) has offset i + 1 and no attributes;
     * {@code ends[i]} is the weight of entries 0..i, so that a page of a given size is found
     * without walking the entries. Shared: never changed.
     */
    record Numbered(List<Dirent> entries, long[] ends) {
        /** The entries after {@code offset} that fit in {@code size} bytes, at least one unless none is left. */
        List<Dirent> page(long offset, int size) {
            int start = (int) Math.min(Math.max(offset, 0), entries.size());
            if (start == entries.size()) return List.of();
            long before = start == 0 ? 0 : ends[start - 1];
            int end = Arrays.binarySearch(ends, start, ends.length, before + size + 1);
            end = end >= 0 ? end : -end - 1; // the first entry whose end exceeds the size
            return entries.subList(start, Math.max(end, start + 1));
        }
    }

    /** The kept listing of {@code dir}, or null when none is kept. */
    synchronized Numbered get(Gfid dir) {
        Kept k = kept.get(dir);
        if (k == null) return null;
        if (clock.getAsLong() - k.expiresAt >= 0) {
            remove(dir);
            return null;
        }
        if (k.numbered == null) {
            List<Dirent> out = new ArrayList<>(k.byName.size());
            long[] ends = new long[k.byName.size()];
            long total = 0;
            for (Dirent d : k.byName.values()) {
                out.add(new Dirent(d.name(), d.ino(), out.size() + 1, d.type(), null, d.xdata()));
                total += weight(d);
                ends[out.size() - 1] = total;
            }
            k.numbered = new Numbered(Collections.unmodifiableList(out), ends);
        }
        return k.numbered;
    }

    /**
     * Keeps a complete listing read from the bricks, unless a name changed anywhere since it was
     * started. Attributes are left out: they age, and md-cache would take them for news.
     *
     * @param startedAt when the opendir that began it was sent: the bricks' interest in telling
     *                  this client about changes counts from then
     */
    void put(Gfid dir, List<Dirent> entries, long changesAtStart, long startedAt) {
        if (timeoutNanos == 0 || entries == null) return;
        Kept k = new Kept(startedAt + timeoutNanos);
        for (Dirent d : entries) {
            Dirent bare = withoutAttributes(d);
            Dirent before = k.byName.put(bare.name(), bare);
            if (before != null) k.bytes -= heapBytes(before);
            k.bytes += heapBytes(bare);
        }
        if (k.bytes > limit) return;
        synchronized (this) {
            if (changes != changesAtStart) return;
            keep(dir, k);
        }
    }

    /** Called as a change to names is sent: from now on listings being read are not kept. Returns {@link #changes}. */
    synchronized long changing() {
        return ++changes;
    }

    /**
     * Records that {@code name} now names {@code attr} in {@code dir}, after a change that began
     * when {@link #changing} returned {@code mark}. When anything else changed meanwhile the
     * listing is dropped instead.
     */
    synchronized void added(Gfid dir, String name, Iatt attr, long mark) {
        add(dir, name, attr, finish(mark));
    }

    /** Records that {@code name} is gone from {@code dir}, as {@link #added} records a new one. */
    synchronized void removed(Gfid dir, String name, long mark) {
        remove(dir, name, finish(mark));
    }

    /** A rename: the name moved from one directory to another (or the same); a moved directory's ".." changed. */
    synchronized void renamed(Gfid from, String oldName, Gfid to, String newName, Iatt attr, long mark) {
        boolean alone = finish(mark);
        remove(from, oldName, alone);
        add(to, newName, attr, alone);
        if (attr != null && attr.gfid() != null) remove(attr.gfid());
    }

    /**
     * Records a directory this client made as {@link #added} records a name; it is kept as listing
     * only "." and ".." unless anything else changed while it was made.
     *
     * @param startedAt when the mkdir was sent: the bricks' interest in telling this client about
     *                  changes to the new directory counts from (just after) then
     */
    synchronized void madeDirectory(Gfid parent, String name, Iatt attr, long mark, long startedAt) {
        boolean alone = finish(mark);
        add(parent, name, attr, alone);
        if (!alone || timeoutNanos == 0 || parent == null || attr == null || attr.gfid() == null) return;
        Gfid dir = attr.gfid();
        Kept k = new Kept(startedAt + timeoutNanos);
        int type = FileType.direntType(FileType.S_IFDIR);
        for (Dirent d : List.of(new Dirent(".", dir.ino(), 0, type, null, Xdata.EMPTY),
                new Dirent("..", parent.ino(), 0, type, null, Xdata.EMPTY))) {
            k.byName.put(d.name(), d);
            k.bytes += heapBytes(d);
        }
        keep(dir, k);
    }

    /** Ends a change begun at {@code mark}: whether no other began or ended meanwhile. */
    private boolean finish(long mark) {
        boolean alone = changes == mark;
        changes++; // a listing read while this change was on its way may or may not show it
        return alone;
    }

    private void add(Gfid dir, String name, Iatt attr, boolean alone) {
        Kept k = dir == null ? null : kept.get(dir);
        if (k == null) return;
        if (!alone || attr == null || attr.gfid() == null) {
            remove(dir);
            return;
        }
        Dirent d = new Dirent(name, attr.ino(), 0, FileType.direntType(attr.type()), null, Xdata.EMPTY);
        Dirent before = k.byName.put(name, d);
        long delta = heapBytes(d) - (before == null ? 0 : heapBytes(before));
        k.bytes += delta;
        bytes += delta;
        k.numbered = null;
        trim();
    }

    private void remove(Gfid dir, String name, boolean alone) {
        Kept k = dir == null ? null : kept.get(dir);
        if (k == null) return;
        if (!alone) {
            remove(dir);
            return;
        }
        Dirent before = k.byName.remove(name);
        if (before == null) return;
        k.bytes -= heapBytes(before);
        bytes -= heapBytes(before);
        k.numbered = null;
    }

    /** Forgets the listing of {@code dir} (if not null), and refuses to keep listings read across this change. */
    synchronized void drop(Gfid dir) {
        changes++;
        if (dir != null) remove(dir);
    }

    /** Forgets every listing: what upcalls would have said while a brick was away is unknown. */
    synchronized void dropAll() {
        changes++;
        kept.clear();
        bytes = 0;
    }

    synchronized int size() {
        return kept.size();
    }

    private void keep(Gfid dir, Kept k) {
        remove(dir);
        kept.put(dir, k);
        bytes += k.bytes;
        trim();
    }

    private void trim() {
        for (Iterator<Map.Entry<Gfid, Kept>> it = kept.entrySet().iterator(); bytes > limit && it.hasNext(); ) {
            bytes -= it.next().getValue().bytes;
            it.remove();
        }
    }

    private void remove(Gfid dir) {
        Kept k = kept.remove(dir);
        if (k != null) bytes -= k.bytes;
    }

    private static Dirent withoutAttributes(Dirent d) {
        Iatt a = d.attr();
        if (a == null) return d;
        return new Dirent(d.name(), a.ino(), d.offset(), a.type() >>> 12, null, d.xdata());
    }
}
