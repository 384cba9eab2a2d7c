package org.glusterj.xlators.protocol.client;

import io.netty.buffer.ByteBuf;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntrylkCmd;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.rpc.Proc;
import org.glusterj.rpc.Replies;
import org.glusterj.rpc.RpcClient;
import org.glusterj.rpc.RpcCodec;
import org.glusterj.rpc.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * protocol/client: the leaf of a client graph, forwarding every fop to one brick over one TCP
 * connection (see {@link RpcCodec} for the wire format). Connects on PARENT_UP, handshakes, reopens
 * the fds that were open before a reconnection, then reports CHILD_UP; reports CHILD_DOWN when the
 * connection is lost and keeps reconnecting. While down every fop fails at once with ENOTCONN.
 */
public final class ClientXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(ClientXlator.class);
    private static final String COMPAT = "Accepted for GlusterFS volfile compatibility; no effect in glusterj.";

    public static final Option<String> REMOTE_HOST = Option.string("remote-host", "localhost",
            "Host name or address of the brick server.");
    public static final Option<Integer> REMOTE_PORT = Option.integer("remote-port", 24009, 1, 65535,
            "TCP port of the brick server.");
    public static final Option<String> REMOTE_SUBVOLUME = Option.string("remote-subvolume", null,
            "Name of the volume the brick exports (required), as its protocol/server names its subvolume.");
    public static final Option<Duration> PING_TIMEOUT = Option.time("ping-timeout", "42", Duration.ZERO,
            Duration.ofSeconds(1013), "Close the connection when the brick answers nothing for this long while calls "
                    + "are outstanding (0 disables).");

    public static final List<Option<?>> OPTIONS = List.of(REMOTE_HOST, REMOTE_PORT, REMOTE_SUBVOLUME, PING_TIMEOUT,
            Option.string("send-gids", null, COMPAT),
            Option.string("strict-locks", null, COMPAT),
            Option.string("transport-type", null, COMPAT + " Only tcp is implemented."),
            Option.string("transport.address-family", null, COMPAT),
            Option.string("transport.tcp-user-timeout", null, COMPAT),
            Option.string("transport.socket.keepalive", null, COMPAT),
            Option.string("transport.socket.keepalive-*", null, COMPAT),
            Option.string("transport.socket.ssl-enabled", null, COMPAT),
            Option.string("frame-timeout", null, COMPAT));

    public static final XlatorType TYPE = new XlatorType("protocol/client", List.of(),
            "Sends fops to one brick over TCP.", OPTIONS, ClientXlator::new);

    private static final AtomicInteger CONNECTS = new AtomicInteger();

    private final String subvolume;
    private final RpcClient rpc;
    private final Set<RemoteFd> openFds = ConcurrentHashMap.newKeySet();
    /** The fds the setup of the current connection reopens; their releases wait for it to serve. */
    private volatile List<RemoteFd> reopening = List.of();
    private volatile String lastFailure;
    private volatile Event reported;

    public ClientXlator(XlatorConfig config) {
        super(config);
        subvolume = options().get(REMOTE_SUBVOLUME);
        if (subvolume == null || subvolume.isBlank()) {
            throw new IllegalArgumentException(this + ": option remote-subvolume is required: the name of the volume "
                    + "the brick exports (its protocol/server's subvolume)");
        }
        rpc = new RpcClient(options().get(REMOTE_HOST), options().get(REMOTE_PORT), options().get(PING_TIMEOUT),
                new Session());
    }

    public boolean isConnected() {
        return rpc.isReady();
    }

    @Override
    public void notify(Event event, Xlator source) {
        if (event == Event.PARENT_UP) {
            rpc.start();
        } else if (event == Event.PARENT_DOWN) {
            rpc.stop();
            report(Event.CHILD_DOWN);
        } else {
            super.notify(event, source);
        }
    }

    @Override
    public void fini() {
        rpc.stop();
    }

    private void report(Event e) {
        synchronized (this) {
            if (reported == e) return;
            reported = e;
        }
        propagateUp(e);
    }

    /** The connection lifecycle: handshake, reopen fds, report up and down. */
    private final class Session implements RpcClient.Session {
        private volatile boolean wasReady;

        @Override
        public CompletableFuture<Void> onConnected() {
            String clientId = "glusterj:" + ManagementFactory.getRuntimeMXBean().getName() + ":" + name() + ":"
                    + CONNECTS.incrementAndGet();
            return rpc.setupCall(Proc.HANDSHAKE, Caller.ROOT, out -> {
                out.writeInt(RpcCodec.VERSION);
                Wire.writeString(out, subvolume);
                Wire.writeString(out, clientId);
                out.writeInt(RpcCodec.FEATURE_UPCALL);
            }, Replies::done).thenCompose(done -> reopenAll());
        }

        @Override
        public void onReady() {
            // Releases that came while their fds were being reopened go out now, with the new ids.
            for (RemoteFd rfd : reopening) {
                if (rfd.setupDone()) sendRelease(rfd);
            }
            reopening = List.of();
            // Upcalls sent while we were away are lost: caches above must forget what they hold.
            if (wasReady) upcall(Upcall.everything(), ClientXlator.this);
            wasReady = true;
            lastFailure = null;
            log.info("{}: connected to brick \"{}\" at {}", ClientXlator.this, subvolume, rpc.peer());
            report(Event.CHILD_UP);
        }

        /** On the event loop: caches above drop entries without blocking. */
        @Override
        public void onUpcall(Upcall upcall) {
            log.trace("{}: upcall {}", ClientXlator.this, upcall);
            upcall(upcall, ClientXlator.this);
        }

        @Override
        public void onLost(boolean wasReady, String reason) {
            if (wasReady) {
                log.warn("{}: lost brick \"{}\" at {}: {}; reconnecting", ClientXlator.this, subvolume, rpc.peer(), reason);
            } else if (!reason.equals(lastFailure)) {
                log.error("{}: brick \"{}\" at {} unavailable: {}; will keep retrying", ClientXlator.this, subvolume,
                        rpc.peer(), reason);
            } else {
                log.debug("{}: still unavailable: {}", ClientXlator.this, reason);
            }
            lastFailure = reason;
            report(Event.CHILD_DOWN);
        }
    }

    /**
     * Server fd ids die with the connection: open every fd again by gfid before serving. An fd
     * released meanwhile is released on the brick once the connection serves (see {@link #drop}):
     * until then no RELEASE can be sent (calls are refused while setting up) and the id it would
     * carry may not be known yet.
     */
    private CompletableFuture<Void> reopenAll() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        List<RemoteFd> started = new ArrayList<>();
        for (RemoteFd rfd : openFds) {
            if (rfd.isLost() || !rfd.startReopen()) continue;
            started.add(rfd);
            Loc loc = Loc.of(rfd.gfid, null);
            CompletableFuture<Long> reopen = rfd.directory
                    ? rpc.setupCall(Proc.OPENDIR, Caller.ROOT, out -> {
                        Wire.writeLoc(out, loc);
                        Wire.writeXdata(out, Xdata.EMPTY);
                    }, ClientXlator::readFdId)
                    : rpc.setupCall(Proc.OPEN, Caller.ROOT, out -> {
                        Wire.writeLoc(out, loc);
                        out.writeInt(rfd.reopenFlags());
                        Wire.writeXdata(out, Xdata.EMPTY);
                    }, ClientXlator::readFdId);
            all.add(reopen.handle((id, err) -> {
                if (err == null) {
                    rfd.reopened(id);
                    log.debug("{}: reopened {}", this, rfd);
                } else if (FopException.errnoOf(err) == Errno.ENOTCONN) {
                    throw new FopException(Errno.ENOTCONN, "connection lost while reopening fds");
                } else {
                    rfd.markLost();
                    log.warn("{}: cannot reopen {} after reconnecting: {}; its operations will fail with EBADF",
                            this, rfd, err.getMessage());
                }
                return null;
            }));
        }
        reopening = started;
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private static Long readFdId(ByteBuf in) {
        long id = Wire.readLong(in, "fd id");
        Replies.done(in);
        return id;
    }

    private RemoteFd attach(Fd fd, Gfid gfid, int flags, boolean dir, long id) {
        RemoteFd rfd = new RemoteFd(gfid, flags, dir, id);
        fd.setCtx(this, rfd);
        openFds.add(rfd);
        return rfd;
    }

    // ---- call helpers ----

    private <T> CompletableFuture<T> call(Proc proc, Caller c, RpcClient.BodyWriter body, RpcClient.ReplyReader<T> reader) {
        return rpc.call(proc, c, body, null, reader);
    }

    /** A fop on an open fd: sends the server's id for it, or fails with EBADF if there is none. */
    private <T> CompletableFuture<T> fdCall(Proc proc, Caller c, Fd fd, RpcClient.BodyWriter rest, ByteBuf data,
                                            RpcClient.ReplyReader<T> reader) {
        RemoteFd rfd = fd.ctx(this);
        if (rfd == null || rfd.isLost()) {
            if (data != null) data.release();
            return CompletableFuture.failedFuture(badFd(fd, rfd));
        }
        return rpc.call(proc, c, out -> {
            out.writeLong(rfd.remoteId());
            rest.write(out);
        }, data, reader);
    }

    private FopException badFd(Fd fd, RemoteFd rfd) {
        return new FopException(Errno.EBADF, rfd == null
                ? fd + " was not opened through " + this : fd + " could not be reopened after a reconnection");
    }

    // ---- entry and inode fops ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return call(Proc.LOOKUP, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeXdata(out, x);
        }, Replies::entry);
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return call(Proc.STAT, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeXdata(out, x);
        }, Replies::attr);
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return fdCall(Proc.FSTAT, c, fd, out -> Wire.writeXdata(out, x), null, Replies::attr);
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return call(Proc.ACCESS, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(mask);
            Wire.writeXdata(out, x);
        }, Replies::done);
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return call(Proc.READLINK, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(size);
            Wire.writeXdata(out, x);
        }, Replies::readlink);
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return call(Proc.MKNOD, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(mode).writeLong(rdev).writeInt(umask);
            Wire.writeXdata(out, x);
        }, Replies::entry);
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return call(Proc.MKDIR, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(mode).writeInt(umask);
            Wire.writeXdata(out, x);
        }, Replies::entry);
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return call(Proc.UNLINK, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(xflags);
            Wire.writeXdata(out, x);
        }, Replies::parent);
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return call(Proc.RMDIR, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(flags);
            Wire.writeXdata(out, x);
        }, Replies::parent);
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return call(Proc.SYMLINK, c, out -> {
            Wire.writeString(out, target);
            Wire.writeLoc(out, loc);
            out.writeInt(umask);
            Wire.writeXdata(out, x);
        }, Replies::entry);
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return call(Proc.RENAME, c, out -> {
            Wire.writeLoc(out, oldLoc);
            Wire.writeLoc(out, newLoc);
            Wire.writeXdata(out, x);
        }, Replies::rename);
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return call(Proc.LINK, c, out -> {
            Wire.writeLoc(out, oldLoc);
            Wire.writeLoc(out, newLoc);
            Wire.writeXdata(out, x);
        }, Replies::entry);
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return call(Proc.TRUNCATE, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeLong(offset);
            Wire.writeXdata(out, x);
        }, Replies::change);
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return fdCall(Proc.FTRUNCATE, c, fd, out -> {
            out.writeLong(offset);
            Wire.writeXdata(out, x);
        }, null, Replies::change);
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return call(Proc.SETATTR, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeSetAttr(out, attr);
            Wire.writeXdata(out, x);
        }, Replies::change);
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return fdCall(Proc.FSETATTR, c, fd, out -> {
            Wire.writeSetAttr(out, attr);
            Wire.writeXdata(out, x);
        }, null, Replies::change);
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return call(Proc.STATFS, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeXdata(out, x);
        }, Replies::statfs);
    }

    // ---- open files ----

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return call(Proc.OPEN, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(flags);
            Wire.writeXdata(out, x);
        }, in -> {
            long id = Wire.readLong(in, "fd id");
            Done done = Replies.done(in);
            attach(fd, fd.gfid(), flags, false, id);
            return done;
        });
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return call(Proc.CREATE, c, out -> {
            Wire.writeLoc(out, loc);
            out.writeInt(flags).writeInt(mode).writeInt(umask);
            Wire.writeXdata(out, x);
        }, in -> {
            long id = Wire.readLong(in, "fd id");
            EntryReply reply = Replies.entry(in);
            Gfid gfid = reply.attr() != null && !reply.attr().gfid().isNull() ? reply.attr().gfid() : fd.gfid();
            attach(fd, gfid, flags, false, id);
            return reply;
        });
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (size < 0 || size > RpcCodec.MAX_DATA) {
            return CompletableFuture.failedFuture(new FopException(Errno.EINVAL, "readv of " + size
                    + " bytes: one read may ask for 0 to " + RpcCodec.MAX_DATA + " bytes"));
        }
        return fdCall(Proc.READV, c, fd, out -> {
            out.writeInt(size).writeLong(offset).writeInt(flags);
            Wire.writeXdata(out, x);
        }, null, Replies::read);
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        if (data.readableBytes() > RpcCodec.MAX_DATA) {
            int n = data.readableBytes();
            data.release();
            return CompletableFuture.failedFuture(new FopException(Errno.EINVAL, "writev of " + n
                    + " bytes: one write may carry at most " + RpcCodec.MAX_DATA + " bytes"));
        }
        return fdCall(Proc.WRITEV, c, fd, out -> {
            out.writeLong(offset).writeInt(flags);
            Wire.writeXdata(out, x);
        }, data, Replies::change);
    }

    /**
     * Answered here, without a round trip: a glusterj brick has nothing to do at flush. posix
     * writes through at each write, and features/locks drops an owner's locks on the unlock that
     * libfuse sends after every flush. The round trip would only delay every close(2). The fd and
     * the connection are still checked, so a close on a lost brick fails as any fop does.
     */
    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        RemoteFd rfd = fd.ctx(this);
        if (rfd == null || rfd.isLost()) return CompletableFuture.failedFuture(badFd(fd, rfd));
        if (!rpc.isReady()) {
            return CompletableFuture.failedFuture(new FopException(Errno.ENOTCONN, "not connected to " + rpc.peer()));
        }
        return CompletableFuture.completedFuture(Done.OK);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return fdCall(Proc.FSYNC, c, fd, out -> {
            Wire.writeBool(out, datasync);
            Wire.writeXdata(out, x);
        }, null, Replies::change);
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return fdCall(Proc.FALLOCATE, c, fd, out -> {
            out.writeInt(mode).writeLong(offset).writeLong(len);
            Wire.writeXdata(out, x);
        }, null, Replies::change);
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return fdCall(Proc.DISCARD, c, fd, out -> {
            out.writeLong(offset).writeLong(len);
            Wire.writeXdata(out, x);
        }, null, Replies::change);
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return fdCall(Proc.ZEROFILL, c, fd, out -> {
            out.writeLong(offset).writeLong(len);
            Wire.writeXdata(out, x);
        }, null, Replies::change);
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return fdCall(Proc.SEEK, c, fd, out -> {
            out.writeLong(offset).writeInt(what);
            Wire.writeXdata(out, x);
        }, null, Replies::seek);
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return fdCall(Proc.LK, c, fd, out -> {
            out.writeInt(cmd);
            Wire.writeFlock(out, lock);
            Wire.writeXdata(out, x);
        }, null, Replies::lk);
    }

    @Override
    public CompletableFuture<Done> entrylk(Caller c, String domain, Loc dir, String name, EntrylkCmd cmd, Xdata x) {
        return call(Proc.ENTRYLK, c, out -> {
            Wire.writeString(out, domain);
            Wire.writeLoc(out, dir);
            Wire.writeString(out, name);
            out.writeInt(cmd.ordinal());
            Wire.writeXdata(out, x);
        }, Replies::done);
    }

    // ---- directories ----

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return call(Proc.OPENDIR, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeXdata(out, x);
        }, in -> {
            long id = Wire.readLong(in, "fd id");
            Done done = Replies.done(in);
            attach(fd, fd.gfid(), fd.flags(), true, id);
            return done;
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return fdCall(Proc.READDIR, c, fd, out -> {
            out.writeInt(size).writeLong(offset);
            Wire.writeXdata(out, x);
        }, null, Replies::readdir);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return fdCall(Proc.READDIRP, c, fd, out -> {
            out.writeInt(size).writeLong(offset);
            Wire.writeXdata(out, x);
        }, null, Replies::readdir);
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return fdCall(Proc.FSYNCDIR, c, fd, out -> {
            Wire.writeBool(out, datasync);
            Wire.writeXdata(out, x);
        }, null, Replies::done);
    }

    // ---- extended attributes ----

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return call(Proc.GETXATTR, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeString(out, name);
            Wire.writeXdata(out, x);
        }, Replies::xattr);
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return fdCall(Proc.FGETXATTR, c, fd, out -> {
            Wire.writeString(out, name);
            Wire.writeXdata(out, x);
        }, null, Replies::xattr);
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return call(Proc.SETXATTR, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeByteMap(out, values);
            out.writeInt(flags);
            Wire.writeXdata(out, x);
        }, Replies::done);
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return fdCall(Proc.FSETXATTR, c, fd, out -> {
            Wire.writeByteMap(out, values);
            out.writeInt(flags);
            Wire.writeXdata(out, x);
        }, null, Replies::done);
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return call(Proc.REMOVEXATTR, c, out -> {
            Wire.writeLoc(out, loc);
            Wire.writeString(out, name);
            Wire.writeXdata(out, x);
        }, Replies::done);
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return fdCall(Proc.FREMOVEXATTR, c, fd, out -> {
            Wire.writeString(out, name);
            Wire.writeXdata(out, x);
        }, null, Replies::done);
    }

    // ---- callbacks ----

    @Override
    public void release(Fd fd) {
        drop(fd);
    }

    @Override
    public void releasedir(Fd fd) {
        drop(fd);
    }

    /**
     * Sent at once, or, for an fd that a reconnection's setup is reopening, once the connection
     * serves ({@link Session#onReady}): dropped then, the reopened remote fd would stay open on the
     * brick until the next disconnection. A RELEASE for an fd of a lost connection is dropped by
     * {@link RpcClient#sendOneWay}: the brick closed it with the connection.
     */
    private void drop(Fd fd) {
        RemoteFd rfd = fd.takeCtx(this);
        if (rfd == null) return;
        openFds.remove(rfd);
        if (rfd.release()) sendRelease(rfd);
    }

    private void sendRelease(RemoteFd rfd) {
        rpc.sendOneWay(rfd.directory ? Proc.RELEASEDIR : Proc.RELEASE, out -> out.writeLong(rfd.remoteId()));
    }
}
