package org.glusterj.xlators.cluster.dht;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;

/**
 * One directory listing over all subvolumes: they are read one after another, each entry's offset
 * carrying the subvolume it came from ({@link DirOffsets}), so that a listing resumes anywhere.
 * Children are read with readdirp even for readdir, because telling linkto files apart needs their
 * attributes.
 */
final class DirListing {

    /**
     * A directory open on some subvolumes. While it is read sequentially from offset 0, the names
     * of subdirectories already listed are kept, so that each is listed once.
     */
    static final class OpenDir {
        private final boolean[] opened;
        private final Set<String> dirsListed = ConcurrentHashMap.newKeySet();
        private volatile long expectedOffset;
        private volatile boolean sequential = true;

        OpenDir(boolean[] opened) {
            this.opened = opened.clone();
        }

        boolean isOpen(int subvol) {
            return opened[subvol];
        }

        int firstOpened() {
            for (int i = 0; i < opened.length; i++) if (opened[i]) return i;
            return -1;
        }
    }

    private final List<Xlator> subvols;
    private final int count;
    private final boolean readdirOptimize;

    DirListing(List<Xlator> subvols, boolean readdirOptimize) {
        this.subvols = subvols;
        this.count = subvols.size();
        this.readdirOptimize = readdirOptimize;
    }

    /** Entries after {@code offset} (0: from the start), from the subvolume the offset names on. */
    CompletableFuture<ReaddirReply> list(Caller c, Fd fd, OpenDir dir, int size, long offset, boolean withAttrs) {
        int s;
        try {
            s = DirOffsets.subvol(offset, count);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(Errno.EINVAL.exception(e.getMessage()));
        }
        if (offset == 0) {
            dir.dirsListed.clear();
            dir.sequential = true;
        } else if (offset != dir.expectedOffset) {
            dir.sequential = false;
        }
        return readFrom(c, fd, dir, size, s, DirOffsets.backendOffset(offset, count), withAttrs).thenApply(r -> {
            if (!r.entries().isEmpty()) dir.expectedOffset = r.entries().get(r.entries().size() - 1).offset();
            return r;
        });
    }

    private CompletableFuture<ReaddirReply> readFrom(Caller c, Fd fd, OpenDir dir, int size, int s, long backend,
                                                     boolean withAttrs) {
        while (s < count && !dir.opened[s]) {
            s++;
            backend = 0;
        }
        if (s >= count) return CompletableFuture.completedFuture(new ReaddirReply(List.of(), null));
        int subvol = s;
        return subvols.get(subvol).readdirp(c, fd, size, backend, Xdata.EMPTY).thenCompose(rr -> {
            if (rr.entries().isEmpty()) return readFrom(c, fd, dir, size, subvol + 1, 0, withAttrs);
            List<Dirent> out = new ArrayList<>(rr.entries().size());
            for (Dirent d : rr.entries()) {
                if (!listedFrom(dir, subvol, d)) continue;
                out.add(new Dirent(d.name(), d.ino(), DirOffsets.encode(d.offset(), subvol, count), d.type(),
                        withAttrs ? Linkto.visible(d.attr()) : null, d.xdata()));
            }
            if (out.isEmpty()) {
                long last = rr.entries().get(rr.entries().size() - 1).offset();
                return readFrom(c, fd, dir, size, subvol, last, withAttrs);
            }
            return CompletableFuture.completedFuture(new ReaddirReply(out, rr.xdata()));
        });
    }

    /**
     * Linkto files are never listed. A directory exists on every subvolume but is listed once: from
     * the first subvolume, or, read sequentially, from the first that has it (a copy missing there
     * is healed by the next lookup). After a seek the names listed before are unknown, so only the
     * first subvolume's directories are listed (one missing there, awaiting heal, is then not).
     * With readdir-optimize, directories come from the first subvolume only.
     */
    private boolean listedFrom(OpenDir dir, int subvol, Dirent d) {
        if (Linkto.looksLike(d.attr())) return false;
        boolean isDir = d.attr() != null ? d.attr().isDirectory() : d.type() == FileType.direntType(FileType.S_IFDIR);
        if (!isDir) return true;
        int first = dir.firstOpened();
        if (readdirOptimize) return subvol == first;
        if (subvol == first) {
            dir.dirsListed.add(d.name());
            return true;
        }
        return dir.sequential && dir.dirsListed.add(d.name());
    }
}
