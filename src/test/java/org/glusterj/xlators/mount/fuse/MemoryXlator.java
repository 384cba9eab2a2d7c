package org.glusterj.xlators.mount.fuse;

import static org.glusterj.core.OpenFlags.O_EXCL;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.Statvfs;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * A test-only in-memory filesystem at the bottom of a graph: objects by gfid, directories as name →
 * gfid maps. Like a brick it addresses objects by gfid (ESTALE if the gfid is gone) or by parent
 * gfid + name, and takes the gfid of new objects from the Loc. It records the fops it served so
 * tests can check what the bridge wound.
 */
final class MemoryXlator extends Xlator {

    static final class Node {
        final Gfid gfid;
        int mode;
        int uid;
        int gid;
        long rdev;
        int nlink = 1;
        byte[] data = new byte[0];
        int size;
        String target;
        final TreeMap<String, Gfid> children = new TreeMap<>();
        final Map<String, byte[]> xattrs = new LinkedHashMap<>();
        long atime;
        long mtime;
        int openCount;

        Node(Gfid gfid, int mode, Caller c) {
            this.gfid = gfid;
            this.mode = mode;
            this.uid = c.uid();
            this.gid = c.gid();
            this.atime = this.mtime = 1_700_000_000L;
            if ((mode & FileType.S_IFMT) == FileType.S_IFDIR) nlink = 2;
        }

        boolean isDir() {
            return (mode & FileType.S_IFMT) == FileType.S_IFDIR;
        }

        Iatt iatt() {
            return new Iatt(gfid, mode, nlink, uid, gid, rdev, size, (size + 511) / 512, 4096,
                    atime, 0, mtime, 0, mtime, 0);
        }
    }

    final Map<Gfid, Node> nodes = new HashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** The most bytes one readv asked for and one writev carried. */
    final java.util.concurrent.atomic.AtomicInteger largestRead = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger largestWrite = new java.util.concurrent.atomic.AtomicInteger();
    final List<Gfid> forgotten = new CopyOnWriteArrayList<>();
    final List<Fd> released = new CopyOnWriteArrayList<>();
    /** The xdata of each writev, in order. */
    final List<Xdata> writeXdata = new CopyOnWriteArrayList<>();
    volatile SetAttr lastSetAttr;
    volatile Gfid lastSetAttrGfid;
    volatile Caller lastCaller;
    volatile Flock lastLock;
    volatile int lastLockCmd;
    volatile Xdata lastLockXdata;
    volatile int lastFallocateMode;
    /** Entries per readdirp answer, small so that listings take several calls. */
    volatile int readdirBatch = 2;
    /** Names of the threads fops were wound on, i.e. the threads the bridge's callbacks ran on. */
    final java.util.Set<String> servingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A lookup of a name in here answers only once its future completes (a fop that waits). */
    final Map<String, CompletableFuture<Void>> lookupGates = new java.util.concurrent.ConcurrentHashMap<>();

    MemoryXlator() {
        super(XlatorConfig.of("mem", "test/memory", Options.NONE, List.of()));
        nodes.put(Gfid.ROOT, new Node(Gfid.ROOT, FileType.S_IFDIR | 0755, Caller.ROOT));
    }

    // ---- direct manipulation, as another client would do ----

    synchronized Gfid createFileBehindBridge(Gfid parent, String name, byte[] content) {
        Node n = new Node(Gfid.random(), FileType.S_IFREG | 0644, Caller.ROOT);
        n.data = content.clone();
        n.size = content.length;
        nodes.put(n.gfid, n);
        nodes.get(parent).children.put(name, n.gfid);
        return n.gfid;
    }

    synchronized void unlinkBehindBridge(Gfid parent, String name) {
        Gfid g = nodes.get(parent).children.remove(name);
        if (g != null) nodes.remove(g);
    }

    synchronized void renameBehindBridge(Gfid parent, String from, String to) {
        Node p = nodes.get(parent);
        p.children.put(to, p.children.remove(from));
    }

    synchronized Node node(Gfid g) {
        return nodes.get(g);
    }

    synchronized Gfid childOf(Gfid parent, String name) {
        Node p = nodes.get(parent);
        return p == null ? null : p.children.get(name);
    }

    int count(String fop) {
        return (int) calls.stream().filter(fop::equals).count();
    }

    // ---- helpers ----

    private static <T> CompletableFuture<T> fail(Errno e) {
        return CompletableFuture.failedFuture(e.exception());
    }

    private void record(String fop, Caller c) {
        calls.add(fop);
        servingThreads.add(Thread.currentThread().getName());
        lastCaller = c;
    }

    /** Existing object: by gfid if given (ESTALE if gone), else by parent + name. */
    private Node find(Loc loc) {
        if (loc.gfid() != null) {
            Node n = nodes.get(loc.gfid());
            if (n == null) throw Errno.ESTALE.exception(loc.toString());
            return n;
        }
        Node parent = dir(loc.parent());
        Gfid g = parent.children.get(loc.name());
        if (g == null) throw Errno.ENOENT.exception(loc.toString());
        return nodes.get(g);
    }

    private Node dir(Gfid g) {
        Node n = nodes.get(g);
        if (n == null) throw Errno.ESTALE.exception("parent " + g);
        if (!n.isDir()) throw Errno.ENOTDIR.exception(g.toString());
        return n;
    }

    private Node fdNode(Fd fd) {
        Node n = nodes.get(fd.gfid());
        if (n == null) throw Errno.ESTALE.exception(fd.toString());
        return n;
    }

    private synchronized <T> CompletableFuture<T> serve(String fop, Caller c, java.util.function.Supplier<T> body) {
        record(fop, c);
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (org.glusterj.core.FopException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Node newEntry(Loc loc, int mode, Caller c) {
        if (loc.gfid() == null) throw Errno.EINVAL.exception("no gfid for new entry " + loc);
        Node parent = dir(loc.parent());
        if (parent.children.containsKey(loc.name())) throw Errno.EEXIST.exception(loc.toString());
        Node n = new Node(loc.gfid(), mode, c);
        nodes.put(n.gfid, n);
        parent.children.put(loc.name(), n.gfid);
        return n;
    }

    private void dropLink(Node n) {
        n.nlink--;
        if (n.nlink <= (n.isDir() ? 1 : 0) && n.openCount == 0) nodes.remove(n.gfid);
    }

    private void resize(Node n, long newSize) {
        if (newSize > n.data.length) n.data = Arrays.copyOf(n.data, (int) Math.max(newSize, n.data.length * 2L));
        if (newSize < n.size) Arrays.fill(n.data, (int) newSize, n.size, (byte) 0);
        n.size = (int) newSize;
    }

    // ---- fops ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        CompletableFuture<Void> gate = loc.name() == null ? null : lookupGates.get(loc.name());
        if (gate != null) return gate.thenCompose(v -> lookupNow(c, loc));
        return lookupNow(c, loc);
    }

    private CompletableFuture<EntryReply> lookupNow(Caller c, Loc loc) {
        return serve("lookup", c, () -> new EntryReply(find(loc).iatt(), null, null, null));
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return serve("stat", c, () -> new AttrReply(find(loc).iatt(), null));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return serve("fstat", c, () -> new AttrReply(fdNode(fd).iatt(), null));
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return serve("access", c, () -> {
            find(loc);
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return serve("readlink", c, () -> {
            Node n = find(loc);
            if (n.target == null) throw Errno.EINVAL.exception("not a symlink");
            return new ReadlinkReply(n.target, n.iatt(), null);
        });
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return serve("mknod", c, () -> {
            Node n = newEntry(loc, mode, c);
            n.rdev = rdev;
            return new EntryReply(n.iatt(), null, null, null);
        });
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return serve("mkdir", c, () -> {
            Node n = newEntry(loc, mode, c);
            dir(loc.parent()).nlink++;
            return new EntryReply(n.iatt(), null, null, null);
        });
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return serve("unlink", c, () -> {
            Node n = find(loc);
            if (n.isDir()) throw Errno.EISDIR.exception(loc.toString());
            dir(loc.parent()).children.remove(loc.name());
            dropLink(n);
            return new ParentReply(null, null, null);
        });
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return serve("rmdir", c, () -> {
            Node n = find(loc);
            if (!n.isDir()) throw Errno.ENOTDIR.exception(loc.toString());
            if (!n.children.isEmpty()) throw Errno.ENOTEMPTY.exception(loc.toString());
            dir(loc.parent()).children.remove(loc.name());
            dir(loc.parent()).nlink--;
            nodes.remove(n.gfid);
            return new ParentReply(null, null, null);
        });
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return serve("symlink", c, () -> {
            Node n = newEntry(loc, FileType.S_IFLNK | 0777, c);
            n.target = target;
            n.size = target.length();
            return new EntryReply(n.iatt(), null, null, null);
        });
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return serve("rename", c, () -> {
            Node n = find(oldLoc);
            Node from = dir(oldLoc.parent());
            Node to = dir(newLoc.parent());
            Gfid existing = to.children.get(newLoc.name());
            if (existing != null && !existing.equals(n.gfid)) {
                Node victim = nodes.get(existing);
                if (victim.isDir() && !victim.children.isEmpty()) throw Errno.ENOTEMPTY.exception(newLoc.toString());
                dropLink(victim);
            }
            from.children.remove(oldLoc.name());
            to.children.put(newLoc.name(), n.gfid);
            return new RenameReply(n.iatt(), null, null, null, null, null);
        });
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return serve("link", c, () -> {
            Node n = find(oldLoc);
            Node to = dir(newLoc.parent());
            if (to.children.containsKey(newLoc.name())) throw Errno.EEXIST.exception(newLoc.toString());
            to.children.put(newLoc.name(), n.gfid);
            n.nlink++;
            return new EntryReply(n.iatt(), null, null, null);
        });
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return serve("truncate", c, () -> {
            Node n = find(loc);
            Iatt pre = n.iatt();
            resize(n, offset);
            return new ChangeReply(pre, n.iatt(), null);
        });
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return serve("ftruncate", c, () -> {
            Node n = fdNode(fd);
            Iatt pre = n.iatt();
            resize(n, offset);
            return new ChangeReply(pre, n.iatt(), null);
        });
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return serve("setattr", c, () -> apply(find(loc), attr));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return serve("fsetattr", c, () -> apply(fdNode(fd), attr));
    }

    private ChangeReply apply(Node n, SetAttr a) {
        lastSetAttr = a;
        lastSetAttrGfid = n.gfid;
        Iatt pre = n.iatt();
        if (a.has(SetAttr.MODE)) n.mode = (n.mode & FileType.S_IFMT) | (a.mode() & FileType.PERM_MASK);
        if (a.has(SetAttr.UID)) n.uid = a.uid();
        if (a.has(SetAttr.GID)) n.gid = a.gid();
        long now = System.currentTimeMillis() / 1000;
        if (a.has(SetAttr.ATIME)) n.atime = a.atimeNsec() == SetAttr.UTIME_NOW ? now : a.atimeSec();
        if (a.has(SetAttr.MTIME)) n.mtime = a.mtimeNsec() == SetAttr.UTIME_NOW ? now : a.mtimeSec();
        return new ChangeReply(pre, n.iatt(), null);
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return serve("statfs", c, () -> new StatfsReply(
                new Statvfs(4096, 4096, 1000, 600, 500, 100, 40, 40, 7, 0, 255), null));
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return serve("open", c, () -> {
            Node n = find(loc);
            if (n.isDir()) throw Errno.EISDIR.exception(loc.toString());
            if ((flags & O_TRUNC) != 0) resize(n, 0);
            n.openCount++;
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return serve("create", c, () -> {
            Gfid existing = dir(loc.parent()).children.get(loc.name());
            Node n;
            if (existing != null) {
                if ((flags & O_EXCL) != 0) throw Errno.EEXIST.exception(loc.toString());
                n = nodes.get(existing); // like a brick: an existing file is opened, keeping its gfid
            } else {
                n = newEntry(loc, mode, c);
            }
            n.openCount++;
            return new EntryReply(n.iatt(), null, null, null);
        });
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        largestRead.accumulateAndGet(size, Math::max);
        return serve("readv", c, () -> {
            Node n = fdNode(fd);
            int from = (int) Math.min(offset, n.size);
            int len = Math.min(size, n.size - from);
            ByteBuf data = Unpooled.directBuffer(len);
            data.writeBytes(n.data, from, len);
            return new ReadReply(data, n.iatt(), null);
        });
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        largestWrite.accumulateAndGet(data.readableBytes(), Math::max);
        writeXdata.add(x);
        try {
            return serve("writev", c, () -> {
                Node n = fdNode(fd);
                Iatt pre = n.iatt();
                int len = data.readableBytes();
                if (offset + len > n.size) resize(n, offset + len);
                data.getBytes(data.readerIndex(), n.data, (int) offset, len);
                return new ChangeReply(pre, n.iatt(), null);
            });
        } finally {
            data.release();
        }
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return serve("flush", c, () -> Done.OK);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return serve("fsync", c, () -> new ChangeReply(fdNode(fd).iatt(), fdNode(fd).iatt(), null));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return serve("fallocate", c, () -> {
            lastFallocateMode = mode;
            Node n = fdNode(fd);
            return new ChangeReply(n.iatt(), n.iatt(), null);
        });
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return serve("lk", c, () -> {
            lastLock = lock;
            lastLockCmd = cmd;
            lastLockXdata = x;
            if (cmd == Flock.F_GETLK) return new LkReply(new Flock(Flock.F_WRLCK, 0, 10, 5, 999, 77), null);
            return new LkReply(lock, null);
        });
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return serve("opendir", c, () -> {
            if (!find(loc).isDir()) throw Errno.ENOTDIR.exception(loc.toString());
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return serve("readdirp", c, () -> {
            Node d = fdNode(fd);
            List<String> names = new ArrayList<>();
            names.add(".");
            names.add("..");
            names.addAll(d.children.keySet());
            List<Dirent> out = new ArrayList<>();
            for (int i = (int) offset; i < names.size() && out.size() < readdirBatch; i++) {
                String name = names.get(i);
                Node n = name.equals(".") || name.equals("..") ? d : nodes.get(d.children.get(name));
                out.add(new Dirent(name, n.gfid.ino(), i + 1, FileType.direntType(n.mode), n.iatt(), null));
            }
            return new ReaddirReply(out, null);
        });
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return serve("fsyncdir", c, () -> Done.OK);
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return serve("getxattr", c, () -> {
            Node n = find(loc);
            if (name == null) return new XattrReply(Collections.unmodifiableMap(new LinkedHashMap<>(n.xattrs)), null);
            byte[] v = n.xattrs.get(name);
            if (v == null) throw Errno.ENODATA.exception(name);
            return new XattrReply(Map.of(name, v), null);
        });
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return serve("setxattr", c, () -> {
            Node n = find(loc);
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                boolean exists = n.xattrs.containsKey(e.getKey());
                if ((flags & 1) != 0 && exists) throw Errno.EEXIST.exception(e.getKey());
                if ((flags & 2) != 0 && !exists) throw Errno.ENODATA.exception(e.getKey());
                n.xattrs.put(e.getKey(), e.getValue().clone());
            }
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return serve("removexattr", c, () -> {
            if (find(loc).xattrs.remove(name) == null) throw Errno.ENODATA.exception(name);
            return Done.OK;
        });
    }

    @Override
    public synchronized void release(Fd fd) {
        calls.add("release");
        released.add(fd);
        Node n = nodes.get(fd.gfid());
        if (n != null) n.openCount--;
    }

    @Override
    public synchronized void releasedir(Fd fd) {
        calls.add("releasedir");
        released.add(fd);
    }

    @Override
    public void forget(Inode inode) {
        forgotten.add(inode.gfid());
    }
}
