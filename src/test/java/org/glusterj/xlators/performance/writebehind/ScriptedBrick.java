package org.glusterj.xlators.performance.writebehind;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * A test double under write-behind: files are byte arrays by gfid; every fop is recorded in
 * arrival order. When {@link #hold} is on, each fop is only carried out when the test calls
 * {@link #answerNext} (or {@link #answerAll}), so tests control what is in flight. Writes can be
 * made to fail with {@link #failWrites}.
 */
final class ScriptedBrick extends Xlator {
    /** One fop as it reached the brick. */
    record Call(String fop, Gfid gfid, long offset, long size) {
    }

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final Map<Gfid, byte[]> files = new ConcurrentHashMap<>();
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();
    volatile boolean hold;
    volatile Errno failWrites;

    ScriptedBrick() {
        super(XlatorConfig.of("brick", "test/scripted", Options.NONE, List.of()));
    }

    List<String> fops() {
        synchronized (calls) {
            return calls.stream().map(Call::fop).toList();
        }
    }

    List<Long> writeSizes() {
        synchronized (calls) {
            return calls.stream().filter(c -> c.fop.equals("writev")).map(Call::size).toList();
        }
    }

    synchronized int heldCount() {
        return held.size();
    }

    /** Carries out the oldest held fop; returns false if none was held. */
    boolean answerNext() {
        Runnable r;
        synchronized (this) {
            r = held.poll();
        }
        if (r == null) return false;
        r.run();
        return true;
    }

    /** Carries out the most recently held fop, e.g. to answer a read before an earlier write. */
    void answerNewest() {
        Runnable r;
        synchronized (this) {
            r = held.pollLast();
        }
        if (r != null) r.run();
    }

    void answerAll() {
        while (answerNext()) {
            // answering may wind more fops, which are held in turn
        }
    }

    String content(Gfid g) {
        return new String(files.getOrDefault(g, new byte[0]));
    }

    Iatt iatt(Gfid g) {
        long size = files.getOrDefault(g, new byte[0]).length;
        return new Iatt(g, FileType.S_IFREG | 0644, 1, 0, 0, 0, size, (size + 511) / 512, 4096, 1, 0, 2, 0, 3, 0);
    }

    private <T> CompletableFuture<T> run(Call call, Supplier<T> action) {
        calls.add(call);
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                f.complete(action.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        };
        if (hold) {
            synchronized (this) {
                held.add(r);
            }
        } else {
            r.run();
        }
        return f;
    }

    private synchronized void put(Gfid g, long offset, byte[] bytes) {
        byte[] old = files.getOrDefault(g, new byte[0]);
        byte[] now = Arrays.copyOf(old, (int) Math.max(old.length, offset + bytes.length));
        System.arraycopy(bytes, 0, now, (int) offset, bytes.length);
        files.put(g, now);
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        byte[] bytes = new byte[data.readableBytes()];
        data.readBytes(bytes);
        data.release();
        Gfid g = fd.gfid();
        return run(new Call("writev", g, offset, bytes.length), () -> {
            Errno e = failWrites;
            if (e != null) throw e.exception("scripted failure");
            Iatt pre = iatt(g);
            put(g, offset, bytes);
            return new ChangeReply(pre, iatt(g), Xdata.EMPTY);
        });
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        Gfid g = fd.gfid();
        return run(new Call("readv", g, offset, size), () -> {
            byte[] all = files.getOrDefault(g, new byte[0]);
            int from = (int) Math.min(offset, all.length);
            int to = (int) Math.min(offset + size, all.length);
            return new ReadReply(Unpooled.wrappedBuffer(Arrays.copyOfRange(all, from, to)), iatt(g), Xdata.EMPTY);
        });
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return run(new Call("fstat", fd.gfid(), 0, 0), () -> new AttrReply(iatt(fd.gfid()), Xdata.EMPTY));
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return run(new Call("stat", loc.gfid(), 0, 0), () -> new AttrReply(iatt(loc.gfid()), Xdata.EMPTY));
    }

    /** A name lookup answers for the file whose gfid the name spells. */
    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        Gfid g = loc.gfid() != null ? loc.gfid() : Gfid.parse(loc.name());
        return run(new Call("lookup", g, 0, 0), () -> new EntryReply(iatt(g), null, null, Xdata.EMPTY));
    }

    /** Lists every file the brick has. */
    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return run(new Call("readdirp", fd.gfid(), offset, size), () -> {
            List<Dirent> out = new ArrayList<>();
            for (Gfid g : files.keySet()) out.add(new Dirent(g.toString(), g.ino(), out.size() + 1, 8, iatt(g), null));
            return new ReaddirReply(out, Xdata.EMPTY);
        });
    }

    /** Opens; with O_TRUNC (01000) empties the file. */
    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        Gfid g = loc.gfid();
        return run(new Call("open", g, 0, 0), () -> {
            if ((flags & 01000) != 0) {
                synchronized (this) {
                    files.put(g, new byte[0]);
                }
            }
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        Gfid g = fd.gfid();
        return run(new Call("ftruncate", g, offset, 0), () -> {
            Iatt pre = iatt(g);
            synchronized (this) {
                files.put(g, Arrays.copyOf(files.getOrDefault(g, new byte[0]), (int) offset));
            }
            return new ChangeReply(pre, iatt(g), Xdata.EMPTY);
        });
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return run(new Call("fsetattr", fd.gfid(), 0, 0), () -> new ChangeReply(iatt(fd.gfid()), iatt(fd.gfid()), null));
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return run(new Call("flush", fd.gfid(), 0, 0), () -> Done.OK);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return run(new Call("fsync", fd.gfid(), 0, 0), () -> new ChangeReply(iatt(fd.gfid()), iatt(fd.gfid()), null));
    }

    /** SEEK_DATA answers where the file's data ends up after the writes so far: its size. */
    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return run(new Call("seek", fd.gfid(), offset, 0), () -> new SeekReply(iatt(fd.gfid()).size(), null));
    }

    @Override
    public void release(Fd fd) {
        calls.add(new Call("release", fd.gfid(), 0, 0));
    }
}
