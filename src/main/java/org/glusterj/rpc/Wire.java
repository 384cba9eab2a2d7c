package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Statvfs;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;

/**
 * Binary codecs for the values fops carry, big-endian and fixed-width except where a length
 * prefix is needed. Nullable values are preceded by a presence byte (0 absent, 1 present);
 * strings are UTF-8 with an int length, -1 meaning null. Every read checks that the bytes it
 * needs are there and throws {@link MalformedFrameException} otherwise, so a garbled body can
 * never read past its frame or allocate a huge array.
 */
public final class Wire {
    /** Bounds that keep a garbled length from allocating absurd amounts of memory. */
    static final int MAX_GROUPS = 65536;
    private static final int IATT_BYTES = 16 + 4 * 5 + 8 * 6 + 4 * 3 + 4;

    private Wire() {
    }

    // ---- primitives ----

    private static void need(ByteBuf in, int bytes, String what) {
        if (bytes < 0 || in.readableBytes() < bytes) {
            throw new MalformedFrameException("truncated " + what + ": needs " + bytes + " bytes, "
                    + in.readableBytes() + " left");
        }
    }

    public static int readInt(ByteBuf in, String what) {
        need(in, 4, what);
        return in.readInt();
    }

    public static long readLong(ByteBuf in, String what) {
        need(in, 8, what);
        return in.readLong();
    }

    public static boolean readBool(ByteBuf in, String what) {
        need(in, 1, what);
        byte b = in.readByte();
        if (b != 0 && b != 1) throw new MalformedFrameException("bad " + what + " flag " + b);
        return b == 1;
    }

    public static void writeBool(ByteBuf out, boolean b) {
        out.writeByte(b ? 1 : 0);
    }

    public static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        int lenAt = out.writerIndex();
        out.writeInt(0);
        int n = ByteBufUtil.writeUtf8(out, s);
        out.setInt(lenAt, n);
    }

    public static String readString(ByteBuf in, String what) {
        int n = readInt(in, what);
        if (n == -1) return null;
        need(in, n, what);
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    public static void writeBytes(ByteBuf out, byte[] b) {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.writeBytes(b);
    }

    public static byte[] readBytes(ByteBuf in, String what) {
        int n = readInt(in, what);
        if (n == -1) return null;
        need(in, n, what);
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    private static int readCount(ByteBuf in, int minBytesEach, String what) {
        int n = readInt(in, what + " count");
        if (n < 0 || (long) n * minBytesEach > in.readableBytes()) {
            throw new MalformedFrameException("bad " + what + " count " + n);
        }
        return n;
    }

    // ---- identities ----

    public static void writeGfid(ByteBuf out, Gfid g) {
        writeBool(out, g != null);
        if (g != null) out.writeLong(g.msb()).writeLong(g.lsb());
    }

    public static Gfid readGfid(ByteBuf in, String what) {
        if (!readBool(in, what)) return null;
        need(in, 16, what);
        return new Gfid(in.readLong(), in.readLong());
    }

    public static void writeLoc(ByteBuf out, Loc loc) {
        writeGfid(out, loc.gfid());
        writeGfid(out, loc.parent());
        writeString(out, loc.name());
        writeString(out, loc.path());
    }

    public static Loc readLoc(ByteBuf in) {
        return new Loc(readGfid(in, "loc gfid"), readGfid(in, "loc parent"), readString(in, "loc name"),
                readString(in, "loc path"));
    }

    public static void writeCaller(ByteBuf out, Caller c) {
        out.writeInt(c.uid()).writeInt(c.gid()).writeInt(c.pid()).writeLong(c.lkOwner());
        out.writeInt(c.groups().length);
        for (int g : c.groups()) out.writeInt(g);
    }

    public static Caller readCaller(ByteBuf in) {
        need(in, 24, "caller");
        int uid = in.readInt();
        int gid = in.readInt();
        int pid = in.readInt();
        long owner = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > MAX_GROUPS) throw new MalformedFrameException("bad caller group count " + n);
        need(in, n * 4, "caller groups");
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) groups[i] = in.readInt();
        return new Caller(uid, gid, groups, pid, owner);
    }

    // ---- attributes ----

    public static void writeIatt(ByteBuf out, Iatt a) {
        writeBool(out, a != null);
        if (a == null) return;
        Gfid g = a.gfid() == null ? Gfid.NULL : a.gfid();
        out.writeLong(g.msb()).writeLong(g.lsb());
        out.writeInt(a.mode()).writeInt(a.nlink()).writeInt(a.uid()).writeInt(a.gid()).writeInt(a.blksize());
        out.writeLong(a.rdev()).writeLong(a.size()).writeLong(a.blocks());
        out.writeLong(a.atimeSec()).writeLong(a.mtimeSec()).writeLong(a.ctimeSec());
        out.writeInt(a.atimeNsec()).writeInt(a.mtimeNsec()).writeInt(a.ctimeNsec());
        out.writeInt(0); // reserved: attribute flags, so that a later version can add fields
    }

    public static Iatt readIatt(ByteBuf in, String what) {
        if (!readBool(in, what)) return null;
        need(in, IATT_BYTES, what);
        Gfid g = new Gfid(in.readLong(), in.readLong());
        int mode = in.readInt(), nlink = in.readInt(), uid = in.readInt(), gid = in.readInt(), blksize = in.readInt();
        long rdev = in.readLong(), size = in.readLong(), blocks = in.readLong();
        long atime = in.readLong(), mtime = in.readLong(), ctime = in.readLong();
        int atimeNs = in.readInt(), mtimeNs = in.readInt(), ctimeNs = in.readInt();
        in.readInt();
        return new Iatt(g, mode, nlink, uid, gid, rdev, size, blocks, blksize, atime, atimeNs, mtime, mtimeNs,
                ctime, ctimeNs);
    }

    public static void writeSetAttr(ByteBuf out, SetAttr s) {
        out.writeInt(s.valid()).writeInt(s.mode()).writeInt(s.uid()).writeInt(s.gid());
        out.writeLong(s.atimeSec()).writeInt(s.atimeNsec()).writeLong(s.mtimeSec()).writeInt(s.mtimeNsec());
    }

    public static SetAttr readSetAttr(ByteBuf in) {
        need(in, 40, "setattr");
        return new SetAttr(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readLong(), in.readInt(),
                in.readLong(), in.readInt());
    }

    public static void writeFlock(ByteBuf out, Flock f) {
        out.writeInt(f.type()).writeInt(f.whence()).writeLong(f.start()).writeLong(f.len()).writeInt(f.pid())
                .writeLong(f.owner());
    }

    public static Flock readFlock(ByteBuf in) {
        need(in, 36, "flock");
        return new Flock(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readInt(), in.readLong());
    }

    public static void writeStatvfs(ByteBuf out, Statvfs s) {
        out.writeLong(s.bsize()).writeLong(s.frsize()).writeLong(s.blocks()).writeLong(s.bfree())
                .writeLong(s.bavail()).writeLong(s.files()).writeLong(s.ffree()).writeLong(s.favail())
                .writeLong(s.fsid()).writeLong(s.flag()).writeLong(s.namemax());
    }

    public static Statvfs readStatvfs(ByteBuf in) {
        need(in, 88, "statvfs");
        return new Statvfs(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    /** An upcall's body: gfid, flags, stat (nullable). */
    public static void writeUpcall(ByteBuf out, Upcall u) {
        writeGfid(out, u.gfid());
        out.writeInt(u.flags());
        writeIatt(out, u.stat());
    }

    public static Upcall readUpcall(ByteBuf in) {
        Gfid g = readGfid(in, "upcall gfid");
        if (g == null) throw new MalformedFrameException("upcall without a gfid");
        int flags = readInt(in, "upcall flags");
        return new Upcall(g, flags, readIatt(in, "upcall stat"));
    }

    // ---- maps and lists ----

    /** An xattr map or xdata dict: count, then key string and value bytes per entry. */
    public static void writeByteMap(ByteBuf out, Map<String, byte[]> m) {
        out.writeInt(m.size());
        for (Map.Entry<String, byte[]> e : m.entrySet()) {
            writeString(out, e.getKey());
            writeBytes(out, e.getValue() == null ? new byte[0] : e.getValue());
        }
    }

    public static Map<String, byte[]> readByteMap(ByteBuf in, String what) {
        int n = readCount(in, 8, what);
        if (n == 0) return Map.of();
        Map<String, byte[]> m = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String k = readString(in, what + " key");
            if (k == null) throw new MalformedFrameException("null key in " + what);
            byte[] v = readBytes(in, what + " value");
            m.put(k, v == null ? new byte[0] : v);
        }
        return Collections.unmodifiableMap(m);
    }

    public static void writeXdata(ByteBuf out, Xdata x) {
        writeByteMap(out, x == null ? Map.of() : x.asMap());
    }

    public static Xdata readXdata(ByteBuf in) {
        Map<String, byte[]> m = readByteMap(in, "xdata");
        return m.isEmpty() ? Xdata.EMPTY : Xdata.of(m);
    }

    public static void writeDirents(ByteBuf out, List<Dirent> entries) {
        out.writeInt(entries.size());
        for (Dirent d : entries) {
            writeString(out, d.name());
            out.writeLong(d.ino()).writeLong(d.offset()).writeInt(d.type());
            writeIatt(out, d.attr());
            writeXdata(out, d.xdata());
        }
    }

    public static List<Dirent> readDirents(ByteBuf in) {
        int n = readCount(in, 29, "dirent");
        List<Dirent> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = readString(in, "dirent name");
            need(in, 20, "dirent");
            long ino = in.readLong();
            long off = in.readLong();
            int type = in.readInt();
            list.add(new Dirent(name, ino, off, type, readIatt(in, "dirent attr"), readXdata(in)));
        }
        return list;
    }
}
