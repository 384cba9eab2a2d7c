package org.glusterj.xlators.mount.fuse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.glusterj.core.AfterReply;
import org.glusterj.rpc.ChildProcessGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libfuse 2.9's {@code fuse_main_real}, with its {@code fuse_loop_mt} replaced by Java threads.
 *
 * <p>Why: fuse_loop_mt's native workers come and go, and jffi attaches and detaches a native
 * thread (creating a java.lang.Thread) around each of its first 1000 callbacks
 * (reference/jnr-fuse.md §4). Workers that are Java threads calling into libfuse make every
 * callback an ordinary upcall on an already attached thread.
 *
 * <p>Like fuse_loop_mt, a worker that takes a request while no other is waiting starts one more,
 * so requests that block (a process waiting in F_SETLKW, a slow brick) never starve the rest, the
 * unlock that would wake them included; and a worker that finishes a request while more than
 * {@link #MAX_IDLE} others wait for one ends, never leaving fewer than the workers asked for at
 * start. At most {@link #MAX_WORKERS} run: past that, requests wait in the kernel until a worker
 * is free. The session ends when the kernel drops the connection (unmount): every blocked read
 * then fails with ENODEV. FUSE_INIT goes through {@link LargeRequests} (1 MiB requests), FUSE_LSEEK
 * and renames onto themselves are answered without libfuse.
 */
final class FuseSessionLoop {
    private static final Logger log = LoggerFactory.getLogger(FuseSessionLoop.class);
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    // struct fuse_buf (x86-64/aarch64 LP64): size_t size; enum flags; void *mem; int fd; off_t pos.
    private static final int FUSE_BUF_SIZE = 40;
    private static final int BUF_SIZE_AT = 0;
    private static final int BUF_FLAGS_AT = 8;
    private static final int BUF_MEM_AT = 16;
    private static final int FUSE_BUF_IS_FD = 0x2;
    // struct fuse_in_header: uint32 len; uint32 opcode; ...
    private static final int OPCODE_AT = 4;
    private static final int NODEID_AT = 16;
    private static final int IN_HEADER_SIZE = 40;
    private static final int ENOENT = 2;
    private static final int FUSE_FORGET = 2;
    private static final int FUSE_BATCH_FORGET = 42;
    private static final int EINTR = 4;
    /** Idle workers kept beyond the minimum (fuse_loop_mt keeps 10). */
    static final int MAX_IDLE = 10;
    /** A bound on threads, far above what FUSE's default of 12 background requests needs. */
    static final int MAX_WORKERS = 256;

    private final LibFuseSession lib;
    private final Pointer session;
    private final Pointer firstChan;
    private final long bufSize;
    private final boolean growOnDemand;
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    /** Workers running or about to; never fewer than minWorkers while the session lasts. */
    private final AtomicInteger alive = new AtomicInteger();
    private final Queue<Thread> workers = new ConcurrentLinkedQueue<>();
    private volatile int minWorkers = 1;
    private volatile boolean warnedAtLimit;
    private final LseekRequests.Seeker seeker;
    private final KernelInodes kernelInodes;
    private volatile boolean failed;
    private final String mountpoint;
    /** Whether FUSE_HANDLE_KILLPRIV_V2 may be asked for (see {@link SetIdKill#usableWith}). */
    private final boolean setIdKillUsable;

    private FuseSessionLoop(LibFuseSession lib, Pointer session, String mountpoint, boolean growOnDemand,
                            LseekRequests.Seeker seeker, KernelInodes kernelInodes, boolean setIdKillUsable) {
        this.mountpoint = mountpoint;
        this.setIdKillUsable = setIdKillUsable;
        this.lib = lib;
        this.session = session;
        this.firstChan = lib.fuse_session_next_chan(session, null);
        // Room for the 1 MiB requests LargeRequests negotiates.
        this.bufSize = Math.max(lib.fuse_chan_bufsize(firstChan), LargeRequests.BUFFER_SIZE);
        this.growOnDemand = growOnDemand;
        this.seeker = seeker;
        this.kernelInodes = kernelInodes;
        kernelInodes.connect(nodeId -> {
            int r = lib.fuse_lowlevel_notify_inval_inode(firstChan, nodeId, -1, 0);
            // ENOENT: the kernel already dropped that inode.
            if (r < 0 && r != -ENOENT) log.debug("invalidating kernel inode {} failed with errno {}", nodeId, -r);
        });
    }

    /** How {@link #run} ended. */
    enum End {
        /** fuse_setup failed: nothing was mounted; libfuse printed the reason on stderr. */
        SETUP_FAILED,
        /** Reading requests failed; the mount was torn down. */
        FAILED,
        /** The kernel ended the session (unmount). */
        UNMOUNTED
    }

    /**
     * Mounts with {@code argv} (as for fuse_main: program name, "-f", mountpoint, options), serves
     * until the session ends, and tears the mount down.
     *
     * @param minWorkers    workers started up front when multithreaded (libfuse's -s makes it one)
     * @param onAbnormalEnd called when the loop stops for another reason than the kernel ending
     *                      the session, to make the kernel drop the connection (unmount)
     * @param seeker        answers FUSE_LSEEK, which libfuse 2.9 does not handle ({@link LseekRequests})
     * @param kernelInodes  told the node id of every request and every FORGET, and given the
     *                      means to invalidate a node's attributes
     */
    static End run(LibFuseSession lib, Pointer ops, long opsSize, String[] argv, int minWorkers,
                   Runnable onAbnormalEnd, LseekRequests.Seeker seeker, KernelInodes kernelInodes) {
        NativeArgv nativeArgv = new NativeArgv(argv);
        Pointer mountpointOut = Memory.allocateDirect(RUNTIME, Long.BYTES, true);
        Pointer multithreadedOut = Memory.allocateDirect(RUNTIME, Integer.BYTES, true);
        AutoUnmountGuard guard = new AutoUnmountGuard();
        // libfuse forks fusermount, which must inherit none of our descriptors (see AutoUnmountGuard).
        Pointer fuse = ChildProcessGuard.forking(() ->
                lib.fuse_setup(argv.length, nativeArgv.array, ops, opsSize, mountpointOut, multithreadedOut, null));
        if (fuse == null) return End.SETUP_FAILED;
        guard.afterMount(lib.fuse_chan_fd(lib.fuse_session_next_chan(lib.fuse_get_session(fuse), null)));
        Pointer mountpoint = mountpointOut.getPointer(0);
        boolean multithreaded = multithreadedOut.getInt(0) != 0;
        try {
            if (lib.fuse_start_cleanup_thread(fuse) != 0) {
                log.error("libfuse could not start its cache cleanup thread");
                return End.FAILED;
            }
            try {
                FuseSessionLoop loop = new FuseSessionLoop(lib, lib.fuse_get_session(fuse), mountpoint.getString(0),
                        multithreaded, seeker, kernelInodes, SetIdKill.usableWith(argv));
                loop.serve(multithreaded ? Math.max(1, minWorkers) : 1, onAbnormalEnd);
                return loop.failed ? End.FAILED : End.UNMOUNTED;
            } finally {
                lib.fuse_stop_cleanup_thread(fuse);
            }
        } finally {
            lib.fuse_teardown(fuse, mountpoint);
            guard.afterTeardown();
            nativeArgv.keepAlive();
        }
    }

    private void serve(int minWorkers, Runnable onAbnormalEnd) {
        this.minWorkers = minWorkers;
        for (int i = 0; i < minWorkers; i++) startWorker(false);
        boolean wokeKernel = false;
        boolean interrupted = false;
        // Workers only ever get added by running workers, so once all have ended none is left.
        while (true) {
            workers.removeIf(t -> !t.isAlive());
            Thread w = workers.peek();
            if (w == null) break;
            try {
                w.join(500);
            } catch (InterruptedException e) {
                // Keep waiting: teardown frees what the workers use, so it must come after them.
                interrupted = true;
                continue;
            }
            if (w.isAlive() && !wokeKernel && lib.fuse_session_exited(session) != 0 && failed) {
                // The others wait in read(2) for a connection that is still up: unmount so they wake.
                wokeKernel = true;
                onAbnormalEnd.run();
            }
        }
        log.debug("all {} FUSE workers ended", started.get());
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Starts a worker, counted as idle from now on; on demand only below {@link #MAX_WORKERS}. */
    private void startWorker(boolean onDemand) {
        if (onDemand && alive.incrementAndGet() > MAX_WORKERS) {
            alive.decrementAndGet();
            if (!warnedAtLimit) {
                warnedAtLimit = true;
                log.warn("all {} FUSE workers are busy (e.g. processes waiting for locks); further requests wait "
                        + "in the kernel until one is free", MAX_WORKERS);
            }
            return;
        }
        if (!onDemand) alive.incrementAndGet();
        int n = started.getAndIncrement();
        Thread t = new Thread(this::work, "fuse-worker-" + n);
        t.setDaemon(true);
        idle.incrementAndGet();
        // Started before it is listed: serve() drops listed threads that are not alive.
        t.start();
        workers.add(t);
        if (onDemand && log.isDebugEnabled()) log.debug("started FUSE worker {} (all {} others busy)", n, alive.get() - 1);
    }

    /** After a request: whether this worker should end because enough others are idle. */
    private boolean retire() {
        if (idle.get() <= MAX_IDLE) return false;
        while (true) {
            int n = alive.get();
            if (n <= minWorkers) return false;
            if (alive.compareAndSet(n, n - 1)) return true;
        }
    }

    private void work() {
        // One buffer per worker, like fuse_loop_mt: the request stays in it while it is processed.
        Pointer buf = Memory.allocateDirect(RUNTIME, FUSE_BUF_SIZE, true);
        Pointer chan = Memory.allocateDirect(RUNTIME, Long.BYTES, true);
        Pointer data = Memory.allocateDirect(RUNTIME, bufSize, false);
        boolean waiting = true; // counted in idle by whoever started this worker
        AfterReply.enable();
        try {
            while (lib.fuse_session_exited(session) == 0) {
                if (!waiting) {
                    idle.incrementAndGet();
                    waiting = true;
                }
                buf.setMemory(0, FUSE_BUF_SIZE, (byte) 0);
                buf.putLong(BUF_SIZE_AT, bufSize);
                buf.putPointer(BUF_MEM_AT, data);
                chan.putPointer(0, firstChan);
                int res = lib.fuse_session_receive_buf(session, buf, chan);
                if (res == -EINTR) continue;
                if (res <= 0) {
                    if (res < 0) {
                        log.error("reading a FUSE request failed with errno {}; ending the session", -res);
                        failed = true;
                        lib.fuse_session_exit(session);
                    }
                    break;
                }
                // A FORGET is answered at once, so its worker still counts as waiting (fuse_loop_mt does the same).
                if (growOnDemand && !isForget(buf, data)) {
                    waiting = false;
                    if (idle.decrementAndGet() == 0) startWorker(true);
                }
                int opcode = opcode(buf, data);
                if (opcode == LargeRequests.FUSE_INIT) {
                    boolean large = LargeRequests.kernelOffersMaxPages(data, res);
                    boolean killPriv = setIdKillUsable && SetIdKill.kernelOffers(data, res);
                    try {
                        LargeRequests.processInit(lib, session, buf, lib.fuse_chan_fd(chan.getPointer(0)), large, killPriv);
                    } catch (Throwable t) {
                        log.error("a FUSE callback threw past its handler while processing FUSE_INIT", t);
                    }
                    if (large) LargeRequests.raiseReadAhead(mountpoint);
                } else if (opcode == LseekRequests.FUSE_LSEEK) {
                    LseekRequests.answer(data, res, lib.fuse_chan_fd(chan.getPointer(0)), seeker);
                } else if (opcode == SameNameRenames.FUSE_RENAME && SameNameRenames.isOntoItself(data, res)) {
                    SameNameRenames.answer(data, lib.fuse_chan_fd(chan.getPointer(0)));
                } else {
                    if (opcode == FUSE_FORGET) kernelInodes.forget(data.getLong(NODEID_AT));
                    if (opcode == FUSE_BATCH_FORGET) forgetBatch(data, res);
                    KernelInodes.serving(opcode, opcode < 0 ? 0 : data.getLong(NODEID_AT));
                    SetIdKill.serving(opcode, data, res);
                    try {
                        process(buf, chan.getPointer(0));
                    } finally {
                        KernelInodes.served();
                    }
                }
                if (growOnDemand && !waiting && retire()) return; // not counted as idle now: nothing to undo
            }
        } finally {
            if (waiting) idle.decrementAndGet();
        }
    }

    private void process(Pointer buf, Pointer chan) {
        try {
            lib.fuse_session_process_buf(session, buf, chan);
        } catch (Throwable t) {
            // A Java exception left pending by a callback surfaces here; the request was answered
            // (with jffi's zeroed result), so the worker carries on.
            log.error("a FUSE callback threw past its handler", t);
        }
        AfterReply.runQueued();
    }

    /** struct fuse_batch_forget_in {u32 count, u32 dummy} then count x {u64 nodeid, u64 nlookup}. */
    private void forgetBatch(Pointer data, int size) {
        long count = Integer.toUnsignedLong(data.getInt(IN_HEADER_SIZE));
        for (long i = 0; i < count; i++) {
            long at = IN_HEADER_SIZE + 8 + i * 16;
            if (at + 8 > size) break;
            kernelInodes.forget(data.getLong(at));
        }
    }

    /** A burst of FORGETs must not start workers. */
    private static boolean isForget(Pointer buf, Pointer data) {
        int opcode = opcode(buf, data);
        return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET;
    }

    /** The request's opcode, or -1 when it is still in a pipe (spliced) rather than in memory. */
    private static int opcode(Pointer buf, Pointer data) {
        if ((buf.getInt(BUF_FLAGS_AT) & FUSE_BUF_IS_FD) != 0) return -1;
        return data.getInt(OPCODE_AT);
    }

    /** A C argv in native memory that stays valid for the whole mount, whatever libfuse keeps of it. */
    private static final class NativeArgv {
        final Pointer array;
        private final List<Pointer> strings = new ArrayList<>();

        NativeArgv(String[] argv) {
            array = Memory.allocateDirect(RUNTIME, (long) (argv.length + 1) * Long.BYTES, true);
            for (int i = 0; i < argv.length; i++) {
                byte[] bytes = argv[i].getBytes(StandardCharsets.UTF_8);
                Pointer s = Memory.allocateDirect(RUNTIME, bytes.length + 1, true);
                s.put(0, bytes, 0, bytes.length);
                strings.add(s);
                array.putPointer((long) i * Long.BYTES, s);
            }
        }

        /** Reachability fence: the memory is freed by GC only after the mount is gone. */
        void keepAlive() {
            java.lang.ref.Reference.reachabilityFence(array);
            java.lang.ref.Reference.reachabilityFence(strings);
        }
    }
}
