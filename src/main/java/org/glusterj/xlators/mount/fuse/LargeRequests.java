package org.glusterj.xlators.mount.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 1 MiB READ and WRITE requests although libfuse 2.9 speaks FUSE 7.19, which cannot raise the
 * kernel's 32-page (128 KiB) limit per request: that takes the FUSE_MAX_PAGES flag and the
 * max_pages field of a longer fuse_init_out (7.28, Linux 4.20). GlusterFS measured +69% sequential
 * read and +24% write going from 128 KiB to 1 MiB (reference/performance.md).
 *
 * <p>How: the session loop hands FUSE_INIT to libfuse through a channel of its own
 * ({@code fuse_chan_new}) whose send op is {@link #sendInitReply}. Its buffer size is what libfuse
 * caps max_write by, so libfuse answers max_write = 1 MiB; the send op then appends the 7.28
 * fields to libfuse's 24-byte reply, sets FUSE_MAX_PAGES and max_pages, and writes it to
 * /dev/fuse. The minor version stays libfuse's, so the kernel keeps sending the 7.19 structs
 * libfuse parses; max_pages is honoured for any minor (fs/fuse/inode.c process_init_reply). Only
 * done when the kernel offered FUSE_MAX_PAGES; otherwise libfuse's reply goes out unchanged.
 */
final class LargeRequests {
    private static final Logger log = LoggerFactory.getLogger(LargeRequests.class);
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    static final int FUSE_INIT = 26;
    /** Pages per request asked for; the kernel takes at most fs.fuse.max_pages_limit (256 by default). */
    static final int MAX_PAGES = 256;
    static final int MAX_REQUEST_DATA = MAX_PAGES * 4096;
    /**
     * The request buffer: data plus the 4096 bytes libfuse reserves for headers (do_init sets
     * max_write to the channel's buffer size minus 4096).
     */
    static final long BUFFER_SIZE = MAX_REQUEST_DATA + 4096L;

    static final int FUSE_MAX_PAGES = 1 << 22;
    private static final int IN_HEADER = 40;
    // struct fuse_init_in after the header: u32 major, minor, max_readahead, flags.
    private static final int INIT_IN_MINOR_AT = IN_HEADER + 4, INIT_IN_FLAGS_AT = IN_HEADER + 12;
    private static final int OUT_HEADER = DevFuseAnswers.OUT_HEADER;
    // struct fuse_init_out: u32 major, minor, max_readahead, flags; u16 max_background,
    // congestion_threshold; u32 max_write; (7.23) u32 time_gran; (7.28) u16 max_pages ... 64 bytes.
    static final int INIT_OUT_7_19 = 24, INIT_OUT_FULL = 64;
    private static final int OUT_FLAGS_AT = OUT_HEADER + 12, OUT_MAX_PAGES_AT = OUT_HEADER + 28;
    private static final int OUT_ERROR_AT = 4;
    private static final int IOVEC_SIZE = 16;
    private static final int EIO = 5;

    /** struct fuse_chan_ops: receive, send, destroy. */
    private static final int CHAN_OPS_SIZE = 3 * Long.BYTES, SEND_AT = Long.BYTES;

    /** The send op of struct fuse_chan_ops. */
    public interface Send {
        @Delegate
        int send(Pointer chan, Pointer iov, @size_t long count);
    }

    private LargeRequests() {
    }

    /** Whether a raw FUSE_INIT request offers FUSE_MAX_PAGES (minor 28 and later). */
    static boolean kernelOffersMaxPages(Pointer data, int size) {
        if (size < INIT_IN_FLAGS_AT + 4) return false;
        return data.getInt(INIT_IN_MINOR_AT) >= 28 && (data.getInt(INIT_IN_FLAGS_AT) & FUSE_MAX_PAGES) != 0;
    }

    /**
     * Lets libfuse process the FUSE_INIT in {@code buf} (a struct fuse_buf) through a channel
     * whose reply asks for {@link #MAX_PAGES} pages per request if {@code widen}, and for
     * FUSE_HANDLE_KILLPRIV_V2 if {@code killPriv}.
     */
    static void processInit(LibFuseSession lib, Pointer session, Pointer buf, int devFuse, boolean widen,
                            boolean killPriv) {
        Send send = (chan, iov, count) -> sendInitReply(iov, count, devFuse, widen, killPriv);
        Pointer ops = Memory.allocateDirect(RUNTIME, CHAN_OPS_SIZE, true);
        ops.putPointer(SEND_AT, RUNTIME.getClosureManager().getClosurePointer(Send.class, send));
        Pointer chan = lib.fuse_chan_new(ops, devFuse, BUFFER_SIZE, null);
        if (chan == null) throw new OutOfMemoryError("libfuse could not allocate a channel for FUSE_INIT");
        try {
            lib.fuse_session_process_buf(session, buf, chan);
        } finally {
            lib.fuse_chan_destroy(chan);
            java.lang.ref.Reference.reachabilityFence(send);
            java.lang.ref.Reference.reachabilityFence(ops);
        }
    }

    /**
     * Raises the mount's read-ahead to {@link #MAX_REQUEST_DATA}: the kernel reads ahead at most
     * read_ahead_kb (128 KiB: the bdi default, lowered again to what FUSE_INIT's reply says), and a
     * read(2) of 1 MiB is cut to that too, so without this READs stay at 128 KiB whatever
     * max_pages allows. Must come after the INIT reply, which sets it. Needs root (sysfs); else
     * reads stay at 128 KiB and writes still get 1 MiB.
     */
    static void raiseReadAhead(String mountpoint) {
        Path setting;
        try {
            String dev = deviceOf(mountpoint, Files.readAllLines(Path.of("/proc/self/mountinfo")));
            if (dev == null) {
                log.warn("{} is not in /proc/self/mountinfo: its read-ahead stays at the default", mountpoint);
                return;
            }
            setting = Path.of("/sys/class/bdi", dev, "read_ahead_kb");
        } catch (IOException e) {
            log.warn("reading /proc/self/mountinfo failed ({}): the read-ahead of {} stays at the default",
                    e.getMessage(), mountpoint);
            return;
        }
        try {
            Files.writeString(setting, String.valueOf(MAX_REQUEST_DATA / 1024));
            log.debug("read-ahead of {} raised to {} KiB ({})", mountpoint, MAX_REQUEST_DATA / 1024, setting);
        } catch (IOException e) {
            log.info("could not raise the read-ahead of {} ({}: {}); READs stay at 128 KiB. As root: echo {} > {}",
                    mountpoint, setting, e.getMessage(), MAX_REQUEST_DATA / 1024, setting);
        }
    }

    /** The "major:minor" of the mount at {@code mountpoint} (the last one mounted there), or null. */
    static String deviceOf(String mountpoint, List<String> mountinfo) {
        String escaped = mountpoint.replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011")
                .replace("\n", "\\012");
        String dev = null;
        for (String line : mountinfo) {
            // mount id, parent id, major:minor, root, mount point, ...
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(escaped)) dev = f[2];
        }
        return dev;
    }

    /**
     * Gathers libfuse's reply, widens a successful 7.19 init_out, asks for
     * FUSE_HANDLE_KILLPRIV_V2 if {@code killPriv} (see {@link SetIdKill}), and writes it to /dev/fuse.
     */
    static int sendInitReply(Pointer iov, long count, int devFuse, boolean widen, boolean killPriv) {
        byte[] reply = gather(iov, count);
        Pointer out = Memory.allocateDirect(RUNTIME, Math.max(reply.length, OUT_HEADER + INIT_OUT_FULL), true);
        out.put(0, reply, 0, reply.length);
        int len = reply.length;
        if (widen) len = widen(out, len);
        if (killPriv) {
            askFlag(out, len, SetIdKill.FUSE_HANDLE_KILLPRIV_V2);
            log.debug("FUSE_INIT: asking for FUSE_HANDLE_KILLPRIV_V2 (the bricks clear set-id bits)");
        }
        return DevFuseAnswers.write(devFuse, out, len, "FUSE_INIT") ? 0 : -EIO;
    }

    /** Sets a flag in a successful reply; the kernel reads the flags whatever the minor version. */
    static void askFlag(Pointer out, int len, int flag) {
        if (len < OUT_HEADER + INIT_OUT_7_19 || out.getInt(OUT_ERROR_AT) != 0) return;
        out.putInt(OUT_FLAGS_AT, out.getInt(OUT_FLAGS_AT) | flag);
    }

    /** The new length; unchanged unless {@code out} holds a successful reply with a 7.19 init_out. */
    static int widen(Pointer out, int len) {
        if (len != OUT_HEADER + INIT_OUT_7_19 || out.getInt(OUT_ERROR_AT) != 0) return len;
        int full = OUT_HEADER + INIT_OUT_FULL;
        out.putInt(0, full);
        out.putInt(OUT_FLAGS_AT, out.getInt(OUT_FLAGS_AT) | FUSE_MAX_PAGES);
        out.putShort(OUT_MAX_PAGES_AT, (short) MAX_PAGES);
        log.debug("FUSE_INIT: asking for {} pages per request", MAX_PAGES);
        return full;
    }

    private static byte[] gather(Pointer iov, long count) {
        long total = 0;
        for (long i = 0; i < count; i++) total += iov.getLong(i * IOVEC_SIZE + 8);
        byte[] all = new byte[Math.toIntExact(total)];
        int at = 0;
        for (long i = 0; i < count; i++) {
            int n = Math.toIntExact(iov.getLong(i * IOVEC_SIZE + 8));
            if (n > 0) iov.getPointer(i * IOVEC_SIZE).get(0, all, at, n);
            at += n;
        }
        return all;
    }
}
