package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import org.glusterj.core.AttrReply;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.LkReply;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.XattrReply;

/**
 * Body codecs of fop replies, one encoder and one decoder per reply record. The xdata always
 * comes last. A {@link ReadReply}'s data is not encoded here: it follows the body as raw bytes.
 */
public final class Replies {
    private Replies() {
    }

    /** Encodes a fop's reply; for a ReadReply the data is left for the caller to append. */
    public static void encode(ByteBuf out, Object reply) {
        if (reply instanceof EntryReply r) {
            Wire.writeIatt(out, r.attr());
            Wire.writeIatt(out, r.preParent());
            Wire.writeIatt(out, r.postParent());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof AttrReply r) {
            Wire.writeIatt(out, r.attr());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof ChangeReply r) {
            Wire.writeIatt(out, r.pre());
            Wire.writeIatt(out, r.post());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof Done r) {
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof ParentReply r) {
            Wire.writeIatt(out, r.preParent());
            Wire.writeIatt(out, r.postParent());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof RenameReply r) {
            Wire.writeIatt(out, r.attr());
            Wire.writeIatt(out, r.preOldParent());
            Wire.writeIatt(out, r.postOldParent());
            Wire.writeIatt(out, r.preNewParent());
            Wire.writeIatt(out, r.postNewParent());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof ReadlinkReply r) {
            Wire.writeString(out, r.target());
            Wire.writeIatt(out, r.attr());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof StatfsReply r) {
            Wire.writeStatvfs(out, r.statvfs());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof ReadReply r) {
            Wire.writeIatt(out, r.attr());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof ReaddirReply r) {
            Wire.writeDirents(out, r.entries());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof XattrReply r) {
            Wire.writeByteMap(out, r.values());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof LkReply r) {
            Wire.writeFlock(out, r.flock());
            Wire.writeXdata(out, r.xdata());
        } else if (reply instanceof SeekReply r) {
            out.writeLong(r.offset());
            Wire.writeXdata(out, r.xdata());
        } else {
            throw new IllegalArgumentException("no wire encoding for reply " + reply);
        }
    }

    public static EntryReply entry(ByteBuf in) {
        return new EntryReply(Wire.readIatt(in, "attr"), Wire.readIatt(in, "preparent"),
                Wire.readIatt(in, "postparent"), Wire.readXdata(in));
    }

    public static AttrReply attr(ByteBuf in) {
        return new AttrReply(Wire.readIatt(in, "attr"), Wire.readXdata(in));
    }

    public static ChangeReply change(ByteBuf in) {
        return new ChangeReply(Wire.readIatt(in, "pre"), Wire.readIatt(in, "post"), Wire.readXdata(in));
    }

    public static Done done(ByteBuf in) {
        var x = Wire.readXdata(in);
        return x.isEmpty() ? Done.OK : new Done(x);
    }

    public static ParentReply parent(ByteBuf in) {
        return new ParentReply(Wire.readIatt(in, "preparent"), Wire.readIatt(in, "postparent"), Wire.readXdata(in));
    }

    public static RenameReply rename(ByteBuf in) {
        return new RenameReply(Wire.readIatt(in, "attr"), Wire.readIatt(in, "preoldparent"),
                Wire.readIatt(in, "postoldparent"), Wire.readIatt(in, "prenewparent"),
                Wire.readIatt(in, "postnewparent"), Wire.readXdata(in));
    }

    public static ReadlinkReply readlink(ByteBuf in) {
        return new ReadlinkReply(Wire.readString(in, "link target"), Wire.readIatt(in, "attr"), Wire.readXdata(in));
    }

    public static StatfsReply statfs(ByteBuf in) {
        return new StatfsReply(Wire.readStatvfs(in), Wire.readXdata(in));
    }

    /** The data is a retained slice of the frame: no copy; the reply's consumer releases it. */
    public static ReadReply read(ByteBuf in) {
        var attr = Wire.readIatt(in, "attr");
        var x = Wire.readXdata(in);
        return new ReadReply(in.readRetainedSlice(in.readableBytes()), attr, x);
    }

    public static ReaddirReply readdir(ByteBuf in) {
        return new ReaddirReply(Wire.readDirents(in), Wire.readXdata(in));
    }

    public static XattrReply xattr(ByteBuf in) {
        return new XattrReply(Wire.readByteMap(in, "xattrs"), Wire.readXdata(in));
    }

    public static LkReply lk(ByteBuf in) {
        return new LkReply(Wire.readFlock(in), Wire.readXdata(in));
    }

    public static SeekReply seek(ByteBuf in) {
        return new SeekReply(Wire.readLong(in, "seek offset"), Wire.readXdata(in));
    }
}
