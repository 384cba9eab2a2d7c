package org.glusterj.xlators.mount.fuse;

import jnr.ffi.Pointer;

/**
 * FUSE_HANDLE_KILLPRIV_V2 (FUSE 7.33, Linux 5.11): the filesystem, not the kernel, clears the
 * set-user-ID and set-group-ID bits on a write or truncate by a process without CAP_FSETID.
 *
 * <p>Without it the kernel marks no FUSE inode "no privileges to drop" (S_NOSEC), so before every
 * write(2) it asks for security.capability: a second round trip through /dev/fuse per write,
 * answered by md-cache but a third of a small write's cost. With it the kernel asks once, until
 * the attributes change, and sends FUSE_WRITE_KILL_SUIDGID in a write, or FATTR_KILL_SUIDGID in a
 * truncating SETATTR, when the writer lacks CAP_FSETID. libfuse 2.9 knows neither flag: the INIT
 * reply asks for it through {@link LargeRequests}' channel, the session loop reads the request's
 * flag here before libfuse parses it, and FuseBridge passes it to the bricks as
 * {@code PosixXlator.KILL_SETID_KEY}. A brick clears the bits as the kernel would; it removes
 * security.capability on its own (its kernel does so on any write or truncate).
 *
 * <p>A chown needs nothing: the brick's chown clears the bits of a non-directory itself. An
 * fallocate, which Linux also makes drop them, carries no such flag in the protocol: through a
 * FUSE mount with KILLPRIV_V2 (virtiofs' too) it keeps them. So does a file that another client
 * made between this kernel's lookup and its CREATE with O_TRUNC: the kernel asks in the create's
 * open flags, which libfuse 2.9 does not pass on.
 */
final class SetIdKill {
    static final int FUSE_HANDLE_KILLPRIV_V2 = 1 << 28;
    private static final int FUSE_SETATTR = 4, FUSE_WRITE = 16;
    private static final int IN_HEADER = 40;
    // struct fuse_init_in: u32 major, minor, max_readahead, flags.
    private static final int INIT_MINOR_AT = IN_HEADER + 4, INIT_FLAGS_AT = IN_HEADER + 12;
    // struct fuse_write_in: u64 fh, offset; u32 size, write_flags.
    private static final int WRITE_FLAGS_AT = IN_HEADER + 20, FUSE_WRITE_KILL_SUIDGID = 1 << 2;
    // struct fuse_setattr_in: u32 valid, ...
    private static final int SETATTR_VALID_AT = IN_HEADER, FATTR_SIZE = 1 << 3, FATTR_KILL_SUIDGID = 1 << 11;

    private static final ThreadLocal<Boolean> ASKED = ThreadLocal.withInitial(() -> false);

    private SetIdKill() {
    }

    /**
     * Whether libfuse's options in {@code argv} (as for fuse_main) let us see every request that
     * asks: not with splice_read (a large write's header stays in a pipe until libfuse reads it),
     * nor with atomic_o_trunc (the kernel then asks in an open's flags, which nothing reads here).
     */
    static boolean usableWith(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String opts = argv[i].equals("-o") && i + 1 < argv.length ? argv[++i]
                    : argv[i].startsWith("-o") ? argv[i].substring(2) : null;
            if (opts == null) continue;
            for (String o : opts.split(",")) {
                if (o.equals("splice_read") || o.equals("atomic_o_trunc")) return false;
            }
        }
        return true;
    }

    /** Whether a raw FUSE_INIT request offers FUSE_HANDLE_KILLPRIV_V2. */
    static boolean kernelOffers(Pointer data, int size) {
        if (size < INIT_FLAGS_AT + 4) return false;
        return data.getInt(INIT_MINOR_AT) >= 33 && (data.getInt(INIT_FLAGS_AT) & FUSE_HANDLE_KILLPRIV_V2) != 0;
    }

    /** Notes, for this thread, whether the raw request it is about to serve asks for the bits to go. */
    static void serving(int opcode, Pointer data, int size) {
        boolean asked = switch (opcode) {
            case FUSE_WRITE -> size >= WRITE_FLAGS_AT + 4 && (data.getInt(WRITE_FLAGS_AT) & FUSE_WRITE_KILL_SUIDGID) != 0;
            case FUSE_SETATTR -> size >= SETATTR_VALID_AT + 4
                    && (data.getInt(SETATTR_VALID_AT) & (FATTR_SIZE | FATTR_KILL_SUIDGID)) == (FATTR_SIZE | FATTR_KILL_SUIDGID);
            default -> false;
        };
        if (asked || ASKED.get()) ASKED.set(asked);
    }

    /** Whether the request this thread serves asks for the set-id bits to be cleared. */
    static boolean asked() {
        return ASKED.get();
    }
}
