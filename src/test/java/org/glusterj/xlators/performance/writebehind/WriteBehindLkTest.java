package org.glusterj.xlators.performance.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

/** Lock requests and write-behind: unlocks follow the data written under the lock. */
class WriteBehindLkTest {
    private static final Caller C = Caller.of(0, 0, 7).withLkOwner(7);

    /** Records arrivals; writes are answered when the test says, F_SETLKW never. */
    private static final class Child extends Xlator {
        final List<String> arrived = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<ChangeReply>> writes = new CopyOnWriteArrayList<>();

        Child() {
            super(XlatorConfig.of("brick", "test/child", Options.NONE, List.of()));
        }

        @Override
        public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
            arrived.add("writev " + data.readableBytes() + "@" + offset);
            data.release();
            CompletableFuture<ChangeReply> f = new CompletableFuture<>();
            writes.add(f);
            return f;
        }

        @Override
        public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
            arrived.add("lk " + cmd + " type " + lock.type());
            return cmd == Flock.F_SETLKW ? new CompletableFuture<>() : CompletableFuture.completedFuture(new LkReply(lock, null));
        }

        void answerWrites(Gfid g) {
            Iatt a = new Iatt(g, FileType.S_IFREG | 0644, 1, 0, 0, 0, 5, 1, 4096, 1, 0, 2, 0, 3, 0);
            for (CompletableFuture<ChangeReply> f : writes) f.complete(new ChangeReply(a, a, null));
        }
    }

    private final Child child = new Child();
    private final WriteBehindXlator wb = new WriteBehindXlator(XlatorConfig.of("wb", WriteBehindXlator.TYPE.type(),
            Options.NONE, List.of(child)));
    private final Gfid gfid = Gfid.random();
    private final Fd fd = new Fd(new Inode(gfid, FileType.S_IFREG), 2, 7);

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void anUnlockReachesTheBrickOnlyAfterTheWritesBeforeIt() {
        assertTrue(wb.writev(C, fd, bytes("hello"), 0, 0, Xdata.EMPTY).isDone(), "acknowledged at once");
        CompletableFuture<LkReply> unlock = wb.lk(C, fd, Flock.F_SETLK, new Flock(Flock.F_UNLCK, 0, 0, 0, 7, 7), null);
        assertEquals(List.of("writev 5@0"), child.arrived, "the unlock waits for the write");
        assertFalse(unlock.isDone());
        child.answerWrites(gfid);
        assertEquals(List.of("writev 5@0", "lk 6 type 2"), child.arrived);
        assertTrue(unlock.isDone());
    }

    @Test
    void aBlockedSetlkwDoesNotHoldBackLaterWrites() {
        CompletableFuture<LkReply> waiting = wb.lk(C, fd, Flock.F_SETLKW, new Flock(Flock.F_WRLCK, 0, 0, 0, 7, 7), null);
        wb.writev(C, fd, bytes("later"), 0, 0, Xdata.EMPTY);
        assertEquals(List.of("lk 7 type 1", "writev 5@0"), child.arrived);
        assertFalse(waiting.isDone());
        child.answerWrites(gfid);
    }
}
