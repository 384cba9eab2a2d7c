package org.glusterj.xlators.protocol.server;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.glusterj.core.Caller;
import org.glusterj.core.EntrylkCmd;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.rpc.MalformedFrameException;
import org.glusterj.rpc.Proc;
import org.glusterj.rpc.RpcMessage;
import org.glusterj.rpc.Wire;

/**
 * Decodes a fop call's arguments (on the event loop, while the frame is at hand) into an
 * {@link Op} that winds the fop into the exported subvolume. The argument
 * order of each procedure mirrors protocol/client's encoder.
 */
final class FopDecoder {
    /**
     * A decoded call. {@code opened} is the fd an OPEN/CREATE/OPENDIR opens (registered under a new
     * id on success), null for other fops.
     */
    record Op(Supplier<CompletableFuture<?>> run, Fd opened, boolean directory) {
        static Op of(Supplier<CompletableFuture<?>> run) {
            return new Op(run, null, false);
        }
    }

    /** Creates the Fd object the brick graph sees for a newly opened file. */
    interface FdFactory {
        Fd newFd(Gfid gfid, int flags, int pid);
    }

    private FopDecoder() {
    }

    /**
     * @param origin the connection the call came on, given to the fop as {@link Caller#client()}
     * @param fds resolves a client's fd id, throwing EBADF for an unknown one
     * @throws MalformedFrameException if the body does not hold what the procedure needs
     */
    static Op decode(RpcMessage m, Caller.Client origin, Xlator child, LongFunction<Fd> fds, FdFactory newFd) {
        ByteBuf in = m.body();
        Caller c = origin == null ? m.caller() : m.caller().withClient(origin);
        Op op = switch (m.proc()) {
            case LOOKUP -> {
                Loc loc = Wire.readLoc(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.lookup(c, loc, x));
            }
            case STAT -> {
                Loc loc = Wire.readLoc(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.stat(c, loc, x));
            }
            case FSTAT -> {
                Fd fd = fd(in, fds);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fstat(c, fd, x));
            }
            case ACCESS -> {
                Loc loc = Wire.readLoc(in);
                int mask = Wire.readInt(in, "mask");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.access(c, loc, mask, x));
            }
            case READLINK -> {
                Loc loc = Wire.readLoc(in);
                int size = Wire.readInt(in, "size");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.readlink(c, loc, size, x));
            }
            case MKNOD -> {
                Loc loc = Wire.readLoc(in);
                int mode = Wire.readInt(in, "mode");
                long rdev = Wire.readLong(in, "rdev");
                int umask = Wire.readInt(in, "umask");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.mknod(c, loc, mode, rdev, umask, x));
            }
            case MKDIR -> {
                Loc loc = Wire.readLoc(in);
                int mode = Wire.readInt(in, "mode");
                int umask = Wire.readInt(in, "umask");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.mkdir(c, loc, mode, umask, x));
            }
            case UNLINK -> {
                Loc loc = Wire.readLoc(in);
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.unlink(c, loc, flags, x));
            }
            case RMDIR -> {
                Loc loc = Wire.readLoc(in);
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.rmdir(c, loc, flags, x));
            }
            case SYMLINK -> {
                String target = Wire.readString(in, "target");
                Loc loc = Wire.readLoc(in);
                int umask = Wire.readInt(in, "umask");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.symlink(c, target, loc, umask, x));
            }
            case RENAME -> {
                Loc from = Wire.readLoc(in);
                Loc to = Wire.readLoc(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.rename(c, from, to, x));
            }
            case LINK -> {
                Loc from = Wire.readLoc(in);
                Loc to = Wire.readLoc(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.link(c, from, to, x));
            }
            case TRUNCATE -> {
                Loc loc = Wire.readLoc(in);
                long off = Wire.readLong(in, "offset");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.truncate(c, loc, off, x));
            }
            case FTRUNCATE -> {
                Fd fd = fd(in, fds);
                long off = Wire.readLong(in, "offset");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.ftruncate(c, fd, off, x));
            }
            case SETATTR -> {
                Loc loc = Wire.readLoc(in);
                SetAttr sa = Wire.readSetAttr(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.setattr(c, loc, sa, x));
            }
            case FSETATTR -> {
                Fd fd = fd(in, fds);
                SetAttr sa = Wire.readSetAttr(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fsetattr(c, fd, sa, x));
            }
            case STATFS -> {
                Loc loc = Wire.readLoc(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.statfs(c, loc, x));
            }
            case OPEN -> {
                Loc loc = Wire.readLoc(in);
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                Fd fd = newFd.newFd(loc.gfid(), flags, c.pid());
                yield new Op(() -> child.open(c, loc, flags, fd, x), fd, false);
            }
            case CREATE -> {
                Loc loc = Wire.readLoc(in);
                int flags = Wire.readInt(in, "flags");
                int mode = Wire.readInt(in, "mode");
                int umask = Wire.readInt(in, "umask");
                Xdata x = Wire.readXdata(in);
                Fd fd = newFd.newFd(loc.gfid(), flags, c.pid());
                yield new Op(() -> child.create(c, loc, flags, mode, umask, fd, x), fd, false);
            }
            case READV -> {
                Fd fd = fd(in, fds);
                int size = Wire.readInt(in, "size");
                long off = Wire.readLong(in, "offset");
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.readv(c, fd, size, off, flags, x));
            }
            case WRITEV -> {
                Fd fd = fd(in, fds);
                long off = Wire.readLong(in, "offset");
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                // The payload is the rest of the frame: handed on as a slice, never copied.
                ByteBuf data = in.readRetainedSlice(in.readableBytes());
                yield Op.of(() -> child.writev(c, fd, data, off, flags, x));
            }
            case FLUSH -> {
                Fd fd = fd(in, fds);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.flush(c, fd, x));
            }
            case FSYNC -> {
                Fd fd = fd(in, fds);
                boolean datasync = Wire.readBool(in, "datasync");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fsync(c, fd, datasync, x));
            }
            case FALLOCATE -> {
                Fd fd = fd(in, fds);
                int mode = Wire.readInt(in, "mode");
                long off = Wire.readLong(in, "offset");
                long len = Wire.readLong(in, "length");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fallocate(c, fd, mode, off, len, x));
            }
            case DISCARD -> {
                Fd fd = fd(in, fds);
                long off = Wire.readLong(in, "offset");
                long len = Wire.readLong(in, "length");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.discard(c, fd, off, len, x));
            }
            case ZEROFILL -> {
                Fd fd = fd(in, fds);
                long off = Wire.readLong(in, "offset");
                long len = Wire.readLong(in, "length");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.zerofill(c, fd, off, len, x));
            }
            case SEEK -> {
                Fd fd = fd(in, fds);
                long off = Wire.readLong(in, "offset");
                int what = Wire.readInt(in, "whence");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.seek(c, fd, off, what, x));
            }
            case LK -> {
                Fd fd = fd(in, fds);
                int cmd = Wire.readInt(in, "cmd");
                var lock = Wire.readFlock(in);
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.lk(c, fd, cmd, lock, x));
            }
            case ENTRYLK -> {
                String domain = Wire.readString(in, "lock domain");
                Loc dir = Wire.readLoc(in);
                String name = Wire.readString(in, "name");
                EntrylkCmd cmd = EntrylkCmd.of(Wire.readInt(in, "entrylk command"));
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.entrylk(c, domain, dir, name, cmd, x));
            }
            case OPENDIR -> {
                Loc loc = Wire.readLoc(in);
                Xdata x = Wire.readXdata(in);
                Fd fd = newFd.newFd(loc.gfid(), 0, c.pid());
                yield new Op(() -> child.opendir(c, loc, fd, x), fd, true);
            }
            case READDIR, READDIRP -> {
                Fd fd = fd(in, fds);
                int size = Wire.readInt(in, "size");
                long off = Wire.readLong(in, "offset");
                Xdata x = Wire.readXdata(in);
                yield m.proc() == Proc.READDIR ? Op.of(() -> child.readdir(c, fd, size, off, x))
                        : Op.of(() -> child.readdirp(c, fd, size, off, x));
            }
            case FSYNCDIR -> {
                Fd fd = fd(in, fds);
                boolean datasync = Wire.readBool(in, "datasync");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fsyncdir(c, fd, datasync, x));
            }
            case GETXATTR -> {
                Loc loc = Wire.readLoc(in);
                String name = Wire.readString(in, "xattr name");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.getxattr(c, loc, name, x));
            }
            case FGETXATTR -> {
                Fd fd = fd(in, fds);
                String name = Wire.readString(in, "xattr name");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fgetxattr(c, fd, name, x));
            }
            case SETXATTR -> {
                Loc loc = Wire.readLoc(in);
                var values = Wire.readByteMap(in, "xattrs");
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.setxattr(c, loc, values, flags, x));
            }
            case FSETXATTR -> {
                Fd fd = fd(in, fds);
                var values = Wire.readByteMap(in, "xattrs");
                int flags = Wire.readInt(in, "flags");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fsetxattr(c, fd, values, flags, x));
            }
            case REMOVEXATTR -> {
                Loc loc = Wire.readLoc(in);
                String name = Wire.readString(in, "xattr name");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.removexattr(c, loc, name, x));
            }
            case FREMOVEXATTR -> {
                Fd fd = fd(in, fds);
                String name = Wire.readString(in, "xattr name");
                Xdata x = Wire.readXdata(in);
                yield Op.of(() -> child.fremovexattr(c, fd, name, x));
            }
            case HANDSHAKE, PING, RELEASE, RELEASEDIR, UPCALL -> throw new IllegalArgumentException(m.proc() + " is not a fop");
        };
        if (m.proc() != Proc.WRITEV && in.isReadable()) {
            throw new MalformedFrameException(in.readableBytes() + " unexpected bytes after the " + m.proc() + " arguments");
        }
        return op;
    }

    private static Fd fd(ByteBuf in, LongFunction<Fd> fds) {
        return fds.apply(Wire.readLong(in, "fd id"));
    }
}
