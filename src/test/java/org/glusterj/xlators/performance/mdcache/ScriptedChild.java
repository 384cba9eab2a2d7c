package org.glusterj.xlators.performance.mdcache;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.glusterj.core.*;
import org.glusterj.options.Options;

/**
 * The graph under md-cache, scripted: counts every fop it is asked and answers with what the test
 * planted for that fop (a reply, or a FopException). A fop put on hold answers only when the test
 * releases it, so that replies can be made to race.
 */
final class ScriptedChild extends Xlator {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Object>> answers = new ConcurrentHashMap<>();
    private final Map<String, Deque<CompletableFuture<Object>>> held = new ConcurrentHashMap<>();
    private final Map<String, Boolean> holding = new ConcurrentHashMap<>();

    ScriptedChild() {
        super(XlatorConfig.of("scripted", "test/scripted", Options.NONE, List.of()));
    }

    void answer(String fop, Object reply) {
        answers.put(fop, () -> reply);
    }

    void answer(String fop, Supplier<Object> reply) {
        answers.put(fop, reply);
    }

    int calls(String fop) {
        AtomicInteger n = counts.get(fop);
        return n == null ? 0 : n.get();
    }

    /** From now on, {@code fop} waits for {@link #release} instead of answering. */
    void hold(String fop) {
        holding.put(fop, true);
    }

    /** Answers the oldest held {@code fop} with what is planted now. */
    void release(String fop) {
        CompletableFuture<Object> f = held.get(fop).removeFirst();
        complete(f, answers.get(fop).get());
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> call(String fop) {
        counts.computeIfAbsent(fop, k -> new AtomicInteger()).incrementAndGet();
        CompletableFuture<Object> f = new CompletableFuture<>();
        if (holding.getOrDefault(fop, false)) {
            held.computeIfAbsent(fop, k -> new ArrayDeque<>()).addLast(f);
        } else {
            Supplier<Object> s = answers.get(fop);
            complete(f, s == null ? new FopException(Errno.ENOSYS, "nothing planted for " + fop) : s.get());
        }
        return (CompletableFuture<T>) f;
    }

    private static void complete(CompletableFuture<Object> f, Object r) {
        if (r instanceof Throwable t) f.completeExceptionally(t);
        else f.complete(r);
    }

    @Override public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) { return call("lookup"); }
    @Override public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) { return call("stat"); }
    @Override public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) { return call("fstat"); }
    @Override public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) { return call("mkdir"); }
    @Override public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) { return call("unlink"); }
    @Override public CompletableFuture<RenameReply> rename(Caller c, Loc o, Loc n, Xdata x) { return call("rename"); }
    @Override public CompletableFuture<EntryReply> link(Caller c, Loc o, Loc n, Xdata x) { return call("link"); }
    @Override public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long off, Xdata x) { return call("truncate"); }
    @Override public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr a, Xdata x) { return call("setattr"); }
    @Override public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) { return call("statfs"); }
    @Override public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) { return call("flush"); }
    @Override public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) { return call("open"); }
    @Override public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) { return call("create"); }
    @Override public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> v, int flags, Xdata x) { return call("setxattr"); }
    @Override public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) { return call("getxattr"); }
    @Override public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) { return call("removexattr"); }
    @Override public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long off, Xdata x) { return call("readdir"); }
    @Override public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long off, Xdata x) { return call("readdirp"); }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        data.release();
        return call("writev");
    }
}
