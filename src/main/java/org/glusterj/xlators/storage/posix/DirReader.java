package org.glusterj.xlators.storage.posix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.glusterj.core.Dirent;
import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * One readdir/readdirp call on an open directory. Offsets are the filesystem's own directory
 * cookies (d_off, as telldir returns them), which stay valid while entries come and go; the
 * stream is only repositioned when a request does not continue where the previous one stopped.
 */
final class DirReader {
    /** Bytes per entry as FUSE packs them: a 24-byte header plus the name padded to 8 bytes. */
    private static final int DIRENT_HEADER = 24;
    /** readdirp entries also carry attributes (fuse_entry_out). */
    private static final int ENTRY_ATTR_BYTES = 128;

    private final BrickStore store;
    private final OpenFile dir;
    private final boolean withAttrs;

    DirReader(BrickStore store, OpenFile dir, boolean withAttrs) {
        this.store = store;
        this.dir = dir;
        this.withAttrs = withAttrs;
    }

    List<Dirent> read(int size, long offset) {
        List<Dirent> out = new ArrayList<>();
        // The caller holds a reference (PosixXlator.acquire), so the stream is open; the check is
        // defensive. The lock keeps the stream position.
        synchronized (dir) {
            if (dir.closed()) throw Errno.EBADF.exception("directory " + dir.gfid + " was released while being read");
            if (offset == 0) {
                Sys.C.rewinddir(dir.dirStream);
            } else if (offset != dir.position) {
                Sys.C.seekdir(dir.dirStream, offset);
            }
            dir.position = offset;
            Obj self = new Obj(dir.fd, false, ".", null, dir.gfid);
            long bytes = 0;
            while (true) {
                Pointer p = Sys.C.readdir(dir.dirStream);
                if (p == null) break;
                long ino = p.getLong(0);
                long cookie = p.getLong(8);
                int type = p.getByte(18) & 0xff;
                String name = p.getString(19, 256, StandardCharsets.UTF_8);
                dir.position = cookie;
                if (dir.gfid.isRoot() && BrickStore.META.equals(name)) continue;
                Dirent d = entry(self, name, ino, cookie, type);
                if (d == null) continue;
                out.add(d);
                bytes += DIRENT_HEADER + ((name.length() + 7) & ~7) + (withAttrs ? ENTRY_ATTR_BYTES : 0);
                if (bytes >= size) break;
            }
        }
        return out;
    }

    /** Null when the entry vanished between listing and looking at it. */
    private Dirent entry(Obj self, String name, long dIno, long cookie, int dType) {
        try {
            if (name.equals(".") || (name.equals("..") && dir.gfid.isRoot())) {
                // The brick root's ".." lies outside the brick: report the root itself.
                Iatt a = Sys.fstat(dir.fd).toIatt(dir.gfid);
                return new Dirent(name, a.ino(), cookie, FileType.direntType(a.mode()), withAttrs ? a : null, null);
            }
            if (name.equals("..")) {
                StatBuf st = Sys.fstatat(dir.fd, "..");
                Gfid g = BrickStore.gfidOf(dir.fd, "..");
                long ino = g != null ? g.ino() : dIno;
                return new Dirent(name, ino, cookie, FileType.direntType(st.mode),
                        withAttrs && g != null ? st.toIatt(g) : null, null);
            }
            if (withAttrs) {
                Obj e = store.findEntry(self, name);
                if (e == null) return null;
                Iatt a = e.iatt();
                return new Dirent(name, a.ino(), cookie, FileType.direntType(a.mode()), a, null);
            }
            Gfid g = BrickStore.gfidOf(dir.fd, name);
            int type = dType != 0 ? dType : FileType.direntType(Sys.fstatat(dir.fd, name).mode);
            return new Dirent(name, g != null ? g.ino() : dIno, cookie, type, null, null);
        } catch (FopException e) {
            if (e.errno() == Errno.ENOENT) return null;
            throw e;
        }
    }
}
