package org.glusterj.xlators.performance.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
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
import org.glusterj.core.RenameReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * A scripted graph under the data caches: regular files as byte arrays by gfid, every fop
 * recorded in arrival order. Like protocol/client, fd fops fail with EBADF unless the fd was
 * opened here. Reads can be held ({@link #holdReads}) and answered later; opens can be made to
 * fail. Every buffer it hands out is kept, so that tests can check that all were released.
 */
public final class DataBrick extends Xlator {
    public static final String CONTENT_KEY = "glusterfs.content";

    private final Map<Gfid, byte[]> files = new ConcurrentHashMap<>();
    private final Map<Gfid, Long> mtimes = new ConcurrentHashMap<>();
    private final Set<Fd> openFds = ConcurrentHashMap.newKeySet();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<ByteBuf> handedOut = Collections.synchronizedList(new ArrayList<>());
    private final ArrayDeque<Runnable> heldReads = new ArrayDeque<>();
    private volatile boolean holdReads;
    private volatile boolean answerContent = true;
    private volatile Errno failOpen;
    private long clock = 1000;

    public DataBrick() {
        super(XlatorConfig.of("brick", "test/data-brick", Options.NONE, List.of()));
    }

    // ---- scripting ----

    public Gfid put(byte[] content) {
        Gfid g = Gfid.random();
        write(g, content);
        return g;
    }

    /** Replaces a file's content as another client would: nothing above hears of it. */
    public synchronized void write(Gfid g, byte[] content) {
        files.put(g, content.clone());
        mtimes.put(g, ++clock);
    }

    /** Removes a file as another client would (unlink, or rename over its name): nothing above hears of it. */
    public synchronized void remove(Gfid g) {
        files.remove(g);
        mtimes.remove(g);
    }

    public byte[] content(Gfid g) {
        return files.get(g).clone();
    }

    public void failOpens(Errno e) {
        failOpen = e;
    }

    /** Whether lookups answer requests for content (storage/posix does). */
    public void answerContent(boolean yes) {
        answerContent = yes;
    }

    public void holdReads(boolean hold) {
        holdReads = hold;
    }

    /** Answers every held read; returns how many. */
    public int releaseReads() {
        List<Runnable> todo;
        synchronized (heldReads) {
            todo = new ArrayList<>(heldReads);
            heldReads.clear();
        }
        todo.forEach(Runnable::run);
        return todo.size();
    }

    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public int count(String fop) {
        return (int) calls().stream().filter(fop::equals).count();
    }

    public void clearCalls() {
        calls.clear();
    }

    /** Buffers handed out by readv that someone still holds. */
    public int unreleasedBuffers() {
        synchronized (handedOut) {
            return (int) handedOut.stream().filter(b -> b.refCnt() > 0).count();
        }
    }

    public Iatt attr(Gfid g) {
        byte[] c = files.get(g);
        long m = mtimes.get(g);
        return new Iatt(g, FileType.S_IFREG | 0644, 1, 0, 0, 0, c.length, (c.length + 511) / 512, 4096,
                m, 0, m, 0, m, 0);
    }

    public static Fd fd(Gfid g, int flags) {
        return new Fd(new Inode(g, FileType.S_IFREG), flags, 1);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- fops ----

    private <T> CompletableFuture<T> fail(Errno e, String what) {
        return CompletableFuture.failedFuture(e.exception(what));
    }

    private <T> CompletableFuture<T> onFile(String fop, Gfid g, Supplier<T> answer) {
        calls.add(fop);
        if (g == null || !files.containsKey(g)) return fail(Errno.ENOENT, fop + " " + g);
        return CompletableFuture.completedFuture(answer.get());
    }

    private <T> CompletableFuture<T> onFd(String fop, Fd fd, Supplier<T> answer) {
        if (!openFds.contains(fd)) {
            calls.add(fop);
            return fail(Errno.EBADF, fop + " on " + fd + ", which was not opened here");
        }
        return onFile(fop, fd.gfid(), answer);
    }

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return onFile("lookup", loc.gfid(), () -> {
            Xdata reply = Xdata.EMPTY;
            String max = x.getString(CONTENT_KEY);
            byte[] content = files.get(loc.gfid());
            if (answerContent && max != null && content.length <= Long.parseLong(max)) {
                reply = Xdata.of(CONTENT_KEY, content.clone());
            }
            return new EntryReply(attr(loc.gfid()), null, null, reply);
        });
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return onFile("stat", loc.gfid(), () -> new AttrReply(attr(loc.gfid()), null));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return onFd("fstat", fd, () -> new AttrReply(attr(fd.gfid()), null));
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        calls.add("open");
        if (failOpen != null) return fail(failOpen, "open " + loc);
        if (!files.containsKey(fd.gfid())) return fail(Errno.ENOENT, "open " + loc);
        if ((flags & 01000) != 0) write(fd.gfid(), new byte[0]);
        openFds.add(fd);
        return CompletableFuture.completedFuture(Done.OK);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (!holdReads) return read(fd, size, offset);
        CompletableFuture<ReadReply> later = new CompletableFuture<>();
        synchronized (heldReads) {
            heldReads.add(() -> read(fd, size, offset).whenComplete((r, t) -> {
                if (t != null) later.completeExceptionally(t);
                else later.complete(r);
            }));
        }
        return later;
    }

    private CompletableFuture<ReadReply> read(Fd fd, int size, long offset) {
        return onFd("readv", fd, () -> {
            byte[] content = files.get(fd.gfid());
            int from = (int) Math.min(offset, content.length);
            int n = Math.min(size, content.length - from);
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(n, 1));
            b.writeBytes(content, from, n);
            handedOut.add(b);
            return new ReadReply(b, attr(fd.gfid()), null);
        });
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, java.util.Map<String, byte[]> values, int flags, Xdata x) {
        return onFd("fsetxattr", fd, () -> {
            synchronized (this) {
                mtimes.put(fd.gfid(), ++clock); // the ctime moves; this brick keeps one time for all three
            }
            return Done.OK;
        });
    }

    /** Makes an empty file with the fd's gfid and opens it. */
    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        calls.add("create");
        synchronized (this) {
            if (files.containsKey(fd.gfid())) return fail(Errno.EEXIST, "create " + fd.gfid());
            write(fd.gfid(), new byte[0]);
        }
        openFds.add(fd);
        return CompletableFuture.completedFuture(new EntryReply(attr(fd.gfid()), null, null, Xdata.EMPTY));
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        try {
            byte[] in = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), in);
            return onFd("writev", fd, () -> {
                synchronized (this) {
                    Iatt pre = attr(fd.gfid());
                    byte[] old = files.get(fd.gfid());
                    byte[] now = Arrays.copyOf(old, (int) Math.max(old.length, offset + in.length));
                    System.arraycopy(in, 0, now, (int) offset, in.length);
                    write(fd.gfid(), now);
                    return new ChangeReply(pre, attr(fd.gfid()), null);
                }
            });
        } finally {
            data.release();
        }
    }

    private synchronized ChangeReply resize(Gfid g, long size) {
        Iatt pre = attr(g);
        write(g, Arrays.copyOf(files.get(g), (int) size));
        return new ChangeReply(pre, attr(g), null);
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return onFile("truncate", loc.gfid(), () -> resize(loc.gfid(), offset));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return onFd("ftruncate", fd, () -> resize(fd.gfid(), offset));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return onFile("setattr", loc.gfid(), () -> new ChangeReply(attr(loc.gfid()), attr(loc.gfid()), null));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return onFd("zerofill", fd, () -> {
            synchronized (this) {
                Iatt pre = attr(fd.gfid());
                byte[] now = files.get(fd.gfid()).clone();
                Arrays.fill(now, (int) offset, (int) Math.min(now.length, offset + len), (byte) 0);
                write(fd.gfid(), now);
                return new ChangeReply(pre, attr(fd.gfid()), null);
            }
        });
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return onFd("flush", fd, () -> Done.OK);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return onFd("fsync", fd, () -> new ChangeReply(attr(fd.gfid()), attr(fd.gfid()), null));
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return onFd("lk", fd, () -> new LkReply(lock, null));
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        calls.add("unlink");
        return CompletableFuture.completedFuture(new ParentReply(null, null, null));
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        calls.add("rename");
        return CompletableFuture.completedFuture(new RenameReply(null, null, null, null, null, null));
    }

    @Override
    public void release(Fd fd) {
        calls.add(openFds.remove(fd) ? "release" : "release-unopened");
    }
}
