package org.glusterj.xlators.features.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.junit.jupiter.api.Test;

class LockTableTest {
    private static final Inode INODE = new Inode(Gfid.random(), 0100000);
    private static final LockOwner A = new LockOwner("conn-1", 100);
    private static final LockOwner B = new LockOwner("conn-1", 200); // another process on the same mount
    private static final LockOwner C = new LockOwner("conn-2", 100); // same lock_owner value, other mount
    private final Fd fdA = new Fd(INODE, 2, 1, "conn-1");
    private final Fd fdC = new Fd(INODE, 2, 3, "conn-2");
    private final LockTable table = new LockTable();

    private static final int RD = Flock.F_RDLCK;
    private static final int WR = Flock.F_WRLCK;
    private static final int UN = Flock.F_UNLCK;

    private PosixLock req(LockOwner o, int type, long start, long len) {
        Fd fd = o.client().equals("conn-2") ? fdC : fdA;
        return PosixLock.of(o, new Flock(type, 0, start, len, (int) o.lkOwner(), o.lkOwner()), (int) o.lkOwner(), fd);
    }

    private void set(LockOwner o, int type, long start, long len) {
        table.lock(req(o, type, start, len), false).join();
    }

    private Errno failsWith(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return ((FopException) e.getCause()).errno();
    }

    /** The owner's locks as "TYPE start-end" sorted by start, end -1 meaning EOF. */
    private String locksOf(LockOwner o) {
        return table.grantedLocks().stream().filter(l -> l.owner().equals(o))
                .sorted(Comparator.comparingLong(PosixLock::start))
                .map(l -> (l.type() == RD ? "R" : "W") + " " + l.start() + "-" + (l.end() == PosixLock.TO_EOF ? -1 : l.end()))
                .collect(Collectors.joining(", "));
    }

    @Test
    void sameOwnerLocksMergeWhenAdjacentOrOverlapping() {
        set(A, WR, 0, 10);
        set(A, WR, 10, 10);
        set(A, WR, 5, 30);
        assertEquals("W 0-34", locksOf(A));
        set(A, WR, 100, 0);
        set(A, WR, 35, 65);
        assertEquals("W 0--1", locksOf(A), "everything from 0 to EOF is one lock");
    }

    @Test
    void unlockInTheMiddleSplitsALock() {
        set(A, WR, 0, 100);
        set(A, UN, 40, 20);
        assertEquals("W 0-39, W 60-99", locksOf(A));
        set(A, UN, 0, 0);
        assertEquals("", locksOf(A));
        assertTrue(table.isEmpty());
    }

    @Test
    void convertingPartOfAWriteLockToReadSplitsItIntoThree() {
        set(A, WR, 0, 30);
        set(A, RD, 10, 10);
        assertEquals("W 0-9, R 10-19, W 20-29", locksOf(A));
        set(A, WR, 10, 10);
        assertEquals("W 0-29", locksOf(A), "converting back merges again");
    }

    @Test
    void differentTypesOfOneOwnerDoNotMerge() {
        set(A, RD, 0, 10);
        set(A, WR, 10, 10);
        assertEquals("R 0-9, W 10-19", locksOf(A));
    }

    @Test
    void conflictsOnlyBetweenDifferentOwnersAndOnlyWithAWriteLock() {
        set(A, RD, 0, 10);
        set(B, RD, 5, 10); // readers share
        assertEquals(Errno.EAGAIN, failsWith(table.lock(req(B, WR, 0, 1), false)), "other process, same mount");
        assertEquals(Errno.EAGAIN, failsWith(table.lock(req(C, WR, 9, 1), false)), "same lk_owner value, other mount");
        set(C, WR, 15, 5); // past both read locks
        set(A, WR, 0, 5); // A upgrades where nobody else reads
        assertEquals("W 0-4, R 5-9", locksOf(A));
        assertEquals(Errno.EAGAIN, failsWith(table.lock(req(A, WR, 5, 1), false)), "B reads 5-14");
    }

    @Test
    void getlkReportsTheConflictingHolderOrNothing() {
        set(C, WR, 100, 50);
        PosixLock holder = table.firstConflict(req(A, RD, 0, 0));
        Flock f = holder.toFlock();
        assertEquals(WR, f.type());
        assertEquals(100, f.start());
        assertEquals(50, f.len());
        assertEquals(100, f.pid(), "the pid the holder's kernel reported");
        assertNull(table.firstConflict(req(A, WR, 0, 100)), "ends just before the held range");
        assertNull(table.firstConflict(req(C, WR, 0, 0)), "an owner never conflicts with itself");
    }

    @Test
    void waitersAreGrantedInOrderWhenTheConflictGoesAway() {
        set(A, WR, 0, 0);
        CompletableFuture<PosixLock> first = table.lock(req(B, WR, 0, 10), true);
        CompletableFuture<PosixLock> second = table.lock(req(C, WR, 5, 10), true);
        CompletableFuture<PosixLock> third = table.lock(req(C, RD, 50, 1), true);
        assertFalse(first.isDone() || second.isDone() || third.isDone());
        assertEquals(3, table.waiting());

        set(A, UN, 0, 0);
        assertTrue(first.isDone(), "first in the queue is granted");
        assertFalse(second.isDone(), "second conflicts with the first, now granted");
        assertTrue(third.isDone(), "third conflicts with nobody any more");
        assertEquals("W 0-9", locksOf(B));

        set(B, UN, 0, 0);
        assertEquals(5, second.join().start());
        assertEquals("W 5-14, R 50-50", locksOf(C));
        assertEquals(0, table.waiting());
    }

    @Test
    void shrinkingOrDowngradingALockWakesWaiters() {
        set(A, WR, 0, 100);
        CompletableFuture<PosixLock> reader = table.lock(req(C, RD, 0, 10), true);
        CompletableFuture<PosixLock> tail = table.lock(req(B, WR, 90, 10), true);
        set(A, RD, 0, 50);
        assertTrue(reader.isDone(), "a read lock where A now only reads");
        assertFalse(tail.isDone());
        set(A, UN, 50, 0);
        assertTrue(tail.isDone());
    }

    @Test
    void releasingAnFdDropsItsLocksAndWakesWaiters() {
        set(A, WR, 0, 0);
        CompletableFuture<PosixLock> waiting = table.lock(req(C, WR, 0, 1), true);
        table.releaseFd(fdA);
        assertSame(C, waiting.join().owner());
        assertEquals("", locksOf(A));
    }

    @Test
    void releasingAnFdFailsItsOwnWaiters() {
        set(A, WR, 0, 0);
        CompletableFuture<PosixLock> waiting = table.lock(req(C, WR, 0, 1), true);
        table.releaseFd(fdC);
        assertEquals(Errno.EBADF, failsWith(waiting));
        assertEquals("W 0--1", locksOf(A));
    }

    @Test
    void aDisconnectedClientLosesAllItsLocksAndWaits() {
        set(A, WR, 0, 10);
        set(B, RD, 20, 10);
        set(C, RD, 40, 10);
        CompletableFuture<PosixLock> cWaits = table.lock(req(C, WR, 0, 1), true);
        CompletableFuture<PosixLock> otherWaits = table.lock(req(new LockOwner("conn-3", 1), WR, 20, 30), true);
        table.releaseClient("conn-1");
        assertEquals("", locksOf(A) + locksOf(B));
        assertEquals(0, cWaits.join().start(), "C gets what A held");
        assertFalse(otherWaits.isDone(), "C's read lock at 40 still blocks conn-3");
        table.releaseClient("conn-2");
        assertTrue(otherWaits.isDone());
    }

    @Test
    void cancellingAWaitFailsOnlyThatRequestWithEintr() {
        set(A, WR, 0, 0);
        CompletableFuture<PosixLock> w1 = table.lock(req(C, WR, 0, 10), true);
        CompletableFuture<PosixLock> w2 = table.lock(req(C, RD, 20, 10), true);
        assertEquals(1, table.cancel(req(C, WR, 0, 10)));
        assertEquals(Errno.EINTR, failsWith(w1));
        assertFalse(w2.isDone());
        assertEquals(0, table.cancel(req(C, WR, 0, 10)), "nothing left to cancel");
    }

    @Test
    void rangesAreReadAsFcntlDoes() {
        PosixLock before = req(A, WR, 100, -10);
        assertEquals(90, before.start());
        assertEquals(99, before.end());
        assertEquals(PosixLock.TO_EOF, req(A, WR, 7, 0).end());
        FopException e = assertThrows(FopException.class, () -> req(A, WR, 5, -10));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(Errno.EINVAL, assertThrows(FopException.class,
                () -> PosixLock.of(A, new Flock(WR, 1, 0, 0, 1, 1), 1, fdA)).errno(), "SEEK_CUR");
        assertEquals(Errno.EOVERFLOW, assertThrows(FopException.class, () -> req(A, WR, Long.MAX_VALUE - 1, 10)).errno());
        assertEquals(Errno.EINVAL, assertThrows(FopException.class,
                () -> PosixLock.of(A, new Flock(9, 0, 0, 0, 1, 1), 1, fdA)).errno(), "lock type 9");
        assertEquals(List.of(), table.grantedLocks());
    }
}
