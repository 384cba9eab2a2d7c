package org.glusterj.xlators.debug;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * The graph under a debug xlator, scripted: records the fops it receives and answers stat, readv
 * and writev with the future the test planted (so a test decides when and how a fop completes).
 * Unplanted fops fail loudly.
 */
final class ScriptedChild extends Xlator {
    final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
    volatile CompletableFuture<AttrReply> statReply;
    volatile CompletableFuture<ReadReply> readReply;
    volatile CompletableFuture<ChangeReply> writeReply;
    volatile ByteBuf lastWritten;

    ScriptedChild() {
        super(XlatorConfig.of("child", "test/scripted", Options.NONE, List.of()));
    }

    private static <T> CompletableFuture<T> planted(CompletableFuture<T> f, String fop) {
        if (f == null) throw new AssertionError("test planted no reply for " + fop);
        return f;
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        calls.add("stat " + loc.path());
        return planted(statReply, "stat");
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        calls.add("readv " + size + "@" + offset);
        return planted(readReply, "readv");
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        calls.add("writev " + data.readableBytes() + "@" + offset);
        lastWritten = data;
        return planted(writeReply, "writev");
    }

    @Override
    public void release(Fd fd) {
        calls.add("release");
    }
}
