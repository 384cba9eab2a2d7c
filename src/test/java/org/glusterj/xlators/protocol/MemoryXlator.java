package org.glusterj.xlators.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * A test-only brick: files and directories in memory, enough fops to exercise the RPC layer.
 * A lookup of the name "hang" never answers; every caller identity seen is kept.
 */
public final class MemoryXlator extends Xlator {
    static final class Node {
        final Gfid gfid;
        final int mode;
        final int uid;
        final int gid;
        byte[] data = new byte[0];
        final Map<String, Gfid> entries = new TreeMap<>();
        final Map<String, byte[]> xattrs = new ConcurrentHashMap<>();

        Node(Gfid gfid, int mode, int uid, int gid) {
            this.gfid = gfid;
            this.mode = mode;
            this.uid = uid;
            this.gid = gid;
        }

        synchronized Iatt iatt() {
            return new Iatt(gfid, mode, FileType.direntType(mode) == 4 ? 2 : 1, uid, gid, 0, data.length,
                    (data.length + 511) / 512, 4096, 1, 0, 2, 0, 3, 0);
        }
    }

    final Map<Gfid, Node> nodes = new ConcurrentHashMap<>();
    final List<Caller> callers = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger openFds = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();

    public MemoryXlator(String name) {
        super(XlatorConfig.of(name, "test/memory", Options.NONE, List.of()));
        nodes.put(Gfid.ROOT, new Node(Gfid.ROOT, FileType.S_IFDIR | 0755, 0, 0));
    }

    private Node node(Gfid g) {
        Node n = nodes.get(g);
        if (n == null) throw new FopException(Errno.ENOENT, "no object " + g);
        return n;
    }

    private Node resolve(Loc loc) {
        if (loc.gfid() != null && nodes.containsKey(loc.gfid())) return nodes.get(loc.gfid());
        if (!loc.hasEntry()) throw new FopException(Errno.ENOENT, String.valueOf(loc));
        Node parent = node(loc.parent());
        Gfid g;
        synchronized (parent) {
            g = parent.entries.get(loc.name());
        }
        if (g == null) throw new FopException(Errno.ENOENT, String.valueOf(loc));
        return node(g);
    }

    private Node make(Caller c, Loc loc, int mode) {
        Node parent = node(loc.parent());
        Gfid g = loc.gfid() != null ? loc.gfid() : Gfid.random();
        Node n = new Node(g, mode, c.uid(), c.gid());
        synchronized (parent) {
            if (parent.entries.containsKey(loc.name())) throw new FopException(Errno.EEXIST, loc.name());
            parent.entries.put(loc.name(), g);
        }
        nodes.put(g, n);
        return n;
    }

    private static <T> CompletableFuture<T> attempt(java.util.function.Supplier<T> s) {
        try {
            return CompletableFuture.completedFuture(s.get());
        } catch (FopException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        callers.add(c);
        if ("hang".equals(loc.name())) return new CompletableFuture<>();
        return attempt(() -> {
            Node n = resolve(loc);
            Xdata out = x.has("echo") ? Xdata.of("echoed", x.get("echo")) : Xdata.EMPTY;
            return new EntryReply(n.iatt(), null, loc.parent() == null ? null : node(loc.parent()).iatt(), out);
        });
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return attempt(() -> new AttrReply(resolve(loc).iatt(), null));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return attempt(() -> new AttrReply(node(fd.gfid()).iatt(), null));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        callers.add(c);
        return attempt(() -> {
            Iatt pre = node(loc.parent()).iatt();
            Node n = make(c, loc, FileType.S_IFDIR | (mode & ~umask & 07777));
            return new EntryReply(n.iatt(), pre, node(loc.parent()).iatt(), null);
        });
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return attempt(() -> {
            Node parent = node(loc.parent());
            Gfid g;
            synchronized (parent) {
                g = parent.entries.remove(loc.name());
            }
            if (g == null) throw new FopException(Errno.ENOENT, loc.name());
            return new ParentReply(parent.iatt(), parent.iatt(), null);
        });
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return attempt(() -> {
            resolve(loc);
            openFds.incrementAndGet();
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        callers.add(c);
        return attempt(() -> {
            Node n = make(c, loc, FileType.S_IFREG | (mode & ~umask & 07777));
            openFds.incrementAndGet();
            return new EntryReply(n.iatt(), null, node(loc.parent()).iatt(), null);
        });
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return attempt(() -> {
            Node n = node(fd.gfid());
            synchronized (n) {
                int from = (int) Math.min(offset, n.data.length);
                int to = (int) Math.min(n.data.length, offset + size);
                return new ReadReply(Unpooled.copiedBuffer(n.data, from, to - from), n.iatt(), null);
            }
        });
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        try {
            return attempt(() -> {
                Node n = node(fd.gfid());
                synchronized (n) {
                    Iatt pre = n.iatt();
                    int len = data.readableBytes();
                    if (offset + len > n.data.length) n.data = Arrays.copyOf(n.data, (int) offset + len);
                    data.getBytes(data.readerIndex(), n.data, (int) offset, len);
                    return new ChangeReply(pre, n.iatt(), null);
                }
            });
        } finally {
            data.release();
        }
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return attempt(() -> {
            if (!resolve(loc).iatt().isDirectory()) throw new FopException(Errno.ENOTDIR, String.valueOf(loc));
            openFds.incrementAndGet();
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return attempt(() -> {
            Node dir = node(fd.gfid());
            List<Dirent> out = new ArrayList<>();
            long i = 0;
            synchronized (dir) {
                for (Map.Entry<String, Gfid> e : dir.entries.entrySet()) {
                    i++;
                    if (i <= offset) continue;
                    Node n = node(e.getValue());
                    out.add(new Dirent(e.getKey(), n.gfid.ino(), i, FileType.direntType(n.mode), null, null));
                }
            }
            return new ReaddirReply(out, null);
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return readdir(c, fd, size, offset, x).thenApply(r -> new ReaddirReply(r.entries().stream()
                .map(d -> new Dirent(d.name(), d.ino(), d.offset(), d.type(), statOf(fd, d.name()), null)).toList(), null));
    }

    private Iatt statOf(Fd dir, String name) {
        Node d = node(dir.gfid());
        synchronized (d) {
            return node(d.entries.get(name)).iatt();
        }
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return attempt(() -> {
            resolve(loc).xattrs.putAll(values);
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return attempt(() -> {
            Node n = resolve(loc);
            if (name == null) return new XattrReply(Map.copyOf(n.xattrs), null);
            byte[] v = n.xattrs.get(name);
            if (v == null) throw new FopException(Errno.ENODATA, name);
            return new XattrReply(Map.of(name, v), null);
        });
    }

    @Override
    public void release(Fd fd) {
        releases.incrementAndGet();
        openFds.decrementAndGet();
    }

    @Override
    public void releasedir(Fd fd) {
        releases.incrementAndGet();
        openFds.decrementAndGet();
    }
}
