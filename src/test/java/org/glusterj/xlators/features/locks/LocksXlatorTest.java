package org.glusterj.xlators.features.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glusterj.core.Caller;
import org.glusterj.core.Done;
import org.glusterj.core.EntrylkCmd;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class LocksXlatorTest {
    /** Below features/locks: records releases, and fails any lk that leaks through. */
    private static final class Below extends Xlator {
        final List<Fd> released = new CopyOnWriteArrayList<>();

        Below() {
            super(XlatorConfig.of("posix", "test/below", Options.NONE, List.of()));
        }

        @Override
        public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
            throw new AssertionError("lk reached the xlator below features/locks");
        }

        @Override
        public void release(Fd fd) {
            released.add(fd);
        }
    }

    private final Below below = new Below();
    private final LocksXlator locks = new LocksXlator(XlatorConfig.of("locks", LocksXlator.TYPE.type(), Options.NONE,
            List.of(below)));
    private final Inode inode = new Inode(Gfid.random(), 0100000);
    private final Fd mount1 = new Fd(inode, 2, 0, "conn-1");
    private final Fd mount2 = new Fd(inode, 2, 0, "conn-2");
    private static final Xdata FLOCK = Xdata.of(LocksXlator.FLOCK_KEY, new byte[0]);

    private static Caller owner(long lkOwner, int pid) {
        return Caller.of(0, 0, pid).withLkOwner(lkOwner);
    }

    private CompletableFuture<LkReply> lk(Fd fd, long lkOwner, int pid, int cmd, int type, long start, long len, Xdata x) {
        return locks.lk(owner(lkOwner, pid), fd, cmd, new Flock(type, 0, start, len, pid, lkOwner), x);
    }

    private static Errno errno(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return ((FopException) e.getCause()).errno();
    }

    @Test
    void sameLockOwnerOnTwoConnectionsIsTwoOwners() {
        lk(mount1, 7, 1001, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, null).join();
        assertEquals(Errno.EAGAIN, errno(lk(mount2, 7, 2002, Flock.F_SETLK, Flock.F_WRLCK, 10, 1, null)));
        Flock holder = lk(mount2, 7, 2002, Flock.F_GETLK, Flock.F_RDLCK, 10, 1, null).join().flock();
        assertEquals(Flock.F_WRLCK, holder.type());
        assertEquals(1001, holder.pid());
        assertEquals(0, holder.start());
        assertEquals(0, holder.len());
        Flock free = lk(mount1, 7, 1001, Flock.F_GETLK, Flock.F_WRLCK, 0, 0, null).join().flock();
        assertEquals(Flock.F_UNLCK, free.type(), "the holder itself sees no conflict");
    }

    @Test
    void flockAndFcntlLocksDoNotInteract() {
        lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, FLOCK).join();
        lk(mount2, 2, 20, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, null).join();
        assertEquals(Errno.EAGAIN, errno(lk(mount2, 3, 20, Flock.F_SETLK, Flock.F_RDLCK, 0, 0, FLOCK)));
    }

    @Test
    void blockedSetlkwIsWokenByTheUnlockAndCancelledByTheInterrupt() {
        lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, null).join();
        CompletableFuture<LkReply> waiting = lk(mount2, 2, 20, Flock.F_SETLKW, Flock.F_WRLCK, 0, 100, null);
        CompletableFuture<LkReply> interrupted = lk(mount2, 3, 30, Flock.F_SETLKW, Flock.F_RDLCK, 0, 0, null);
        assertFalse(waiting.isDone());
        lk(mount2, 3, 30, Flock.F_SETLK, Flock.F_RDLCK, 0, 0, Xdata.of(LocksXlator.CANCEL_KEY, new byte[0])).join();
        assertEquals(Errno.EINTR, errno(interrupted));
        assertFalse(waiting.isDone(), "cancelling another owner's wait leaves this one waiting");
        lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_UNLCK, 0, 0, null).join();
        Flock got = waiting.join().flock();
        assertEquals(Flock.F_WRLCK, got.type());
        assertEquals(100, got.len());
    }

    @Test
    void releaseDropsTheFdsLocksAndPassesDown() {
        lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, null).join();
        CompletableFuture<LkReply> waiting = lk(mount2, 2, 20, Flock.F_SETLKW, Flock.F_WRLCK, 0, 0, null);
        locks.release(mount1);
        assertTrue(waiting.isDone());
        assertEquals(List.of(mount1), below.released);
        assertEquals(Errno.EBADF, errno(lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, null)),
                "an lk that arrives after its fd was released takes nothing");
    }

    @Test
    void aGoneClientsLocksAreReleasedEverywhere() {
        Inode other = new Inode(Gfid.random(), 0100000);
        Fd otherFd1 = new Fd(other, 2, 0, "conn-1");
        Fd otherFd2 = new Fd(other, 2, 0, "conn-2");
        lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_WRLCK, 0, 0, null).join();
        locks.lk(owner(1, 10), otherFd1, Flock.F_SETLK, new Flock(Flock.F_WRLCK, 0, 0, 0, 10, 1), FLOCK).join();
        CompletableFuture<LkReply> w1 = lk(mount2, 2, 20, Flock.F_SETLKW, Flock.F_RDLCK, 0, 0, null);
        CompletableFuture<LkReply> w2 = locks.lk(owner(2, 20), otherFd2, Flock.F_SETLKW,
                new Flock(Flock.F_WRLCK, 0, 0, 0, 20, 2), FLOCK);
        assertEquals(2, locks.activeInodes());
        locks.clientGone("conn-1");
        assertEquals(Flock.F_RDLCK, w1.join().flock().type());
        assertEquals(Flock.F_WRLCK, w2.join().flock().type());
        locks.clientGone("conn-2");
        assertEquals(0, locks.activeInodes(), "nothing is kept for inodes without locks");
    }

    @Test
    void badRequestsNameWhatIsWrong() {
        assertEquals(Errno.EINVAL, errno(lk(mount1, 1, 10, 99, Flock.F_WRLCK, 0, 0, null)));
        assertEquals(Errno.EINVAL, errno(lk(mount1, 1, 10, Flock.F_GETLK, Flock.F_UNLCK, 0, 0, null)));
        assertEquals(Errno.EINVAL, errno(lk(mount1, 1, 10, Flock.F_SETLK, Flock.F_WRLCK, -1, 5, null)));
        assertEquals(Errno.EBADF, errno(locks.lk(owner(1, 1), null, Flock.F_SETLK, new Flock(1, 0, 0, 0, 1, 1), null)));
    }

    /** lock owner {@code lkOwner} on brick connection {@code connection}. */
    private static Caller on(String connection, long lkOwner) {
        Caller.Client client = new Caller.Client() {
            @Override
            public String id() {
                return "same-id-after-a-reconnection";
            }

            @Override
            public String key() {
                return connection;
            }

            @Override
            public boolean isConnected() {
                return true;
            }

            @Override
            public void upcall(Upcall upcall) {
            }
        };
        return Caller.of(0, 0, 1).withLkOwner(lkOwner).withClient(client);
    }

    private CompletableFuture<Done> entrylk(Caller c, String name, EntrylkCmd cmd) {
        return locks.entrylk(c, "dht.entry.sync", Loc.of(DIR, null), name, cmd, Xdata.EMPTY);
    }

    private static final Gfid DIR = Gfid.random();

    @Test
    void entryLocksAreExclusivePerNameAndGrantedInTurn() {
        entrylk(on("conn-1", 1), "a", EntrylkCmd.LOCK).join();
        entrylk(on("conn-1", 1), "b", EntrylkCmd.LOCK).join(); // another name is another lock
        assertEquals(Errno.EAGAIN, errno(entrylk(on("conn-2", 1), "a", EntrylkCmd.LOCK_NB)), "same owner number, other connection");
        assertEquals(Errno.EAGAIN, errno(entrylk(on("conn-1", 2), "a", EntrylkCmd.LOCK_NB)), "other owner, same connection");
        assertEquals(Errno.EAGAIN, errno(locks.entrylk(on("conn-2", 1), "dht.entry.sync", Loc.of(DIR, null), "a",
                EntrylkCmd.LOCK_NB, Xdata.EMPTY)));
        locks.entrylk(on("conn-2", 1), "other.domain", Loc.of(DIR, null), "a", EntrylkCmd.LOCK_NB, Xdata.EMPTY).join();

        CompletableFuture<Done> second = entrylk(on("conn-2", 5), "a", EntrylkCmd.LOCK);
        CompletableFuture<Done> third = entrylk(on("conn-3", 5), "a", EntrylkCmd.LOCK);
        assertFalse(second.isDone());
        assertEquals(Errno.EINVAL, errno(entrylk(on("conn-2", 5), "a", EntrylkCmd.UNLOCK)), "a waiter holds nothing");
        entrylk(on("conn-1", 1), "a", EntrylkCmd.UNLOCK).join();
        assertTrue(second.isDone(), "the first waiter gets the name");
        assertFalse(third.isDone());
        entrylk(on("conn-2", 5), "a", EntrylkCmd.UNLOCK).join();
        third.join();
    }

    @Test
    void aGoneClientsEntryLocksPassToTheNextWaiterAndItsWaitsEnd() {
        entrylk(on("conn-1", 1), "a", EntrylkCmd.LOCK).join();
        entrylk(on("conn-2", 1), "b", EntrylkCmd.LOCK).join();
        CompletableFuture<Done> waitingForA = entrylk(on("conn-2", 1), "a", EntrylkCmd.LOCK);
        CompletableFuture<Done> waitingForB = entrylk(on("conn-1", 2), "b", EntrylkCmd.LOCK);
        locks.clientGone("conn-1");
        waitingForA.join();
        assertEquals(Errno.ENOTCONN, errno(waitingForB), "a gone client's wait ends");
        entrylk(on("conn-2", 1), "b", EntrylkCmd.UNLOCK).join();
        entrylk(on("conn-3", 1), "b", EntrylkCmd.LOCK_NB).join(); // nobody was left holding b
    }

    @Test
    void isRegisteredUnderBothGlusterfsNames() {
        assertTrue(LocksXlator.TYPE.answersTo("features/locks"));
        assertTrue(LocksXlator.TYPE.answersTo("features/posix-locks"));
        assertTrue(org.glusterj.graph.XlatorRegistry.find("features/posix-locks").isPresent());
    }
}
