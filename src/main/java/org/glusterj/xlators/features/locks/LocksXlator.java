package org.glusterj.xlators.features.locks;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.glusterj.core.Caller;
import org.glusterj.core.ClientGoneListener;
import org.glusterj.core.Done;
import org.glusterj.core.EntrylkCmd;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * features/locks on a brick: fcntl byte-range locks and flock locks kept in memory per inode,
 * owned by (client connection, lock owner), and exclusive entry locks on names ({@link EntryLocks}).
 * lk and entrylk are answered here and never reach storage/posix.
 * A blocked F_SETLKW holds no thread: it waits as a future, granted in queue order when conflicting
 * locks go away (unlock, fd release, client disconnect).
 *
 * <p>Two xdata keys on lk, set by mount/fuse: {@link #FLOCK_KEY} puts the request in the flock
 * domain, which does not interact with fcntl locks (as on Linux); {@link #CANCEL_KEY} withdraws a
 * waiting F_SETLKW of the same owner, type and range (the FUSE interrupt of the blocked process),
 * which then fails with EINTR.
 */
public final class LocksXlator extends Xlator implements ClientGoneListener {
    private static final Logger log = LoggerFactory.getLogger(LocksXlator.class);

    /** Present on an lk: the request is a flock(2) lock, not an fcntl one. */
    public static final String FLOCK_KEY = "glusterj.lk.flock";
    /** Present on an F_SETLK: withdraw the matching waiting F_SETLKW instead of locking. */
    public static final String CANCEL_KEY = "glusterj.lk.cancel-wait";

    private static final String COMPAT = "Accepted for GlusterFS volfile compatibility; no effect in glusterj.";
    public static final List<Option<?>> OPTIONS = List.of(
            Option.string("mandatory-locking", null, COMPAT + " Locks are advisory."),
            Option.string("enforce-mandatory-lock", null, COMPAT + " Locks are advisory."),
            Option.string("trace", null, COMPAT),
            Option.string("monkey-unlocking", null, COMPAT),
            Option.string("revocation-secs", null, COMPAT),
            Option.string("revocation-clear-all", null, COMPAT),
            Option.string("revocation-max-blocked", null, COMPAT),
            Option.string("notify-contention", null, COMPAT),
            Option.string("notify-contention-delay", null, COMPAT));

    public static final XlatorType TYPE = new XlatorType("features/locks", List.of("features/posix-locks"),
            "POSIX byte-range (fcntl) and flock locks per inode on the brick, per client connection and lock "
                    + "owner; blocked F_SETLKW waits without holding a thread; a client's locks go when it disconnects.",
            OPTIONS, LocksXlator::new);

    private static final String LOCAL_CLIENT = "local";
    /** Marks a released fd in its context slot. */
    private static final Object RELEASED = new Object();

    /** Inodes that hold locks or waiters, for releasing a departed client's. */
    private final Set<InodeLocks> active = ConcurrentHashMap.newKeySet();
    private final EntryLocks entries = new EntryLocks();

    public LocksXlator(XlatorConfig config) {
        super(config);
    }

    /** Both lock domains of one inode. */
    private static final class InodeLocks {
        final LockTable posix = new LockTable();
        final LockTable flock = new LockTable();

        boolean isEmpty() {
            return posix.isEmpty() && flock.isEmpty();
        }
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        try {
            if (fd == null) throw Errno.EBADF.exception("lk without an fd");
            if (lock == null) throw Errno.EINVAL.exception("lk without a struct flock");
            if (cmd != Flock.F_GETLK && cmd != Flock.F_SETLK && cmd != Flock.F_SETLKW) {
                throw Errno.EINVAL.exception("lk command " + cmd + "; use F_GETLK 5, F_SETLK 6 or F_SETLKW 7");
            }
            Xdata xd = x == null ? Xdata.EMPTY : x;
            LockOwner owner = new LockOwner(fd.client() == null ? LOCAL_CLIENT : fd.client(), c.lkOwner());
            // The pid the kernel gave the client for this lock; F_GETLK reports it to others.
            int pid = lock.pid() != 0 ? lock.pid() : c.pid();
            PosixLock request = PosixLock.of(owner, lock, pid, fd);
            InodeLocks inode = fd.inode().ctxIfAbsent(this, InodeLocks::new);
            LockTable table = xd.has(FLOCK_KEY) ? inode.flock : inode.posix;
            if (cmd == Flock.F_GETLK) return CompletableFuture.completedFuture(getlk(table, request, lock));
            if (xd.has(CANCEL_KEY)) {
                int n = table.cancel(request);
                log.debug("{}: cancelled {} waiting lock request(s) like {}", this, n, request);
                forgetIfEmpty(inode);
                return CompletableFuture.completedFuture(new LkReply(request.toFlock(), null));
            }
            CompletableFuture<PosixLock> granted;
            synchronized (inode) {
                // An lk that ran late (io-threads) must not leave a lock behind a closed fd or a gone client.
                if (fd.ctx(this) == RELEASED) throw Errno.EBADF.exception("lk on an fd that was released");
                active.add(inode);
                granted = table.lock(request, cmd == Flock.F_SETLKW);
            }
            forgetIfEmpty(inode);
            return granted.thenApply(l -> new LkReply(l.toFlock(), null));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Done> entrylk(Caller c, String domain, Loc dir, String name, EntrylkCmd cmd, Xdata x) {
        if (domain == null || dir == null || dir.gfid() == null || dir.gfid().isNull() || name == null || cmd == null) {
            return CompletableFuture.failedFuture(Errno.EINVAL.exception("entrylk needs a domain, a directory gfid, a name "
                    + "and a command; got " + domain + ", " + dir + ", " + name + ", " + cmd));
        }
        EntryLocks.Name n = new EntryLocks.Name(domain, dir.gfid(), name);
        LockOwner owner = new LockOwner(c.client() == null ? LOCAL_CLIENT : c.client().key(), c.lkOwner());
        return cmd == EntrylkCmd.UNLOCK ? entries.unlock(n, owner) : entries.lock(n, owner, cmd == EntrylkCmd.LOCK);
    }

    private static LkReply getlk(LockTable table, PosixLock request, Flock asked) {
        if (request.type() == Flock.F_UNLCK) throw Errno.EINVAL.exception("F_GETLK with type F_UNLCK");
        PosixLock holder = table.firstConflict(request);
        if (holder != null) return new LkReply(holder.toFlock(), null);
        return new LkReply(new Flock(Flock.F_UNLCK, asked.whence(), asked.start(), asked.len(), asked.pid(),
                asked.owner()), null);
    }

    private void forgetIfEmpty(InodeLocks inode) {
        synchronized (inode) {
            if (inode.isEmpty()) active.remove(inode);
        }
    }

    @Override
    public void release(Fd fd) {
        fd.setCtx(this, RELEASED);
        InodeLocks inode = fd.inode().ctx(this);
        if (inode != null) {
            synchronized (inode) {
                inode.posix.releaseFd(fd);
                inode.flock.releaseFd(fd);
            }
            forgetIfEmpty(inode);
        }
        super.release(fd);
    }

    @Override
    public void clientGone(String client) {
        entries.releaseClient(client);
        for (InodeLocks inode : active) {
            inode.posix.releaseClient(client);
            inode.flock.releaseClient(client);
            forgetIfEmpty(inode);
        }
    }

    /** How many inodes hold locks or waiters (for tests and diagnostics). */
    int activeInodes() {
        return active.size();
    }
}
