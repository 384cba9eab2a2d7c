package org.glusterj.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Statvfs;
import org.glusterj.core.Xdata;
import org.junit.jupiter.api.Test;

class WireTest {
    private static final Iatt IATT = new Iatt(Gfid.random(), FileType.S_IFLNK | 0777, 1, 0, 0, 0, 11, 0, 4096,
            Long.MAX_VALUE, 0, Long.MIN_VALUE, 1, 0, 999_999_999);

    private static <T> T roundTrip(T value, BiConsumer<ByteBuf, T> write, Function<ByteBuf, T> read) {
        ByteBuf b = Unpooled.buffer();
        try {
            write.accept(b, value);
            T back = read.apply(b);
            assertEquals(0, b.readableBytes(), "decoder consumed exactly what the encoder wrote");
            return back;
        } finally {
            b.release();
        }
    }

    @Test
    void valuesSurviveTheirCodecs() {
        Loc loc = new Loc(Gfid.random(), Gfid.ROOT, "naïve ☃.txt", "/naïve ☃.txt");
        assertEquals(loc, roundTrip(loc, Wire::writeLoc, Wire::readLoc));
        Loc bare = Loc.entry(Gfid.ROOT, "x", null);
        assertEquals(bare, roundTrip(bare, Wire::writeLoc, Wire::readLoc));
        Caller c = new Caller(-1, 65534, new int[] {1, 2, 3, Integer.MAX_VALUE}, 0, Long.MIN_VALUE);
        assertEquals(c, roundTrip(c, Wire::writeCaller, Wire::readCaller));
        assertEquals(IATT, roundTrip(IATT, Wire::writeIatt, in -> Wire.readIatt(in, "iatt")));
        assertNull(roundTrip(null, Wire::writeIatt, in -> Wire.readIatt(in, "iatt")));
        assertNull(roundTrip(null, Wire::writeGfid, in -> Wire.readGfid(in, "gfid")));
        SetAttr sa = SetAttr.times(1, SetAttr.UTIME_NOW, 2, SetAttr.UTIME_OMIT);
        assertEquals(sa, roundTrip(sa, Wire::writeSetAttr, Wire::readSetAttr));
        Flock f = new Flock(Flock.F_UNLCK, 1, -1, Long.MAX_VALUE, 7, 8);
        assertEquals(f, roundTrip(f, Wire::writeFlock, Wire::readFlock));
        Statvfs s = new Statvfs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertEquals(s, roundTrip(s, Wire::writeStatvfs, Wire::readStatvfs));
        assertNull(roundTrip(null, Wire::writeString, in -> Wire.readString(in, "s")));
        assertEquals("", roundTrip("", Wire::writeString, in -> Wire.readString(in, "s")));
        assertEquals("𝄞 and ☃", roundTrip("𝄞 and ☃", Wire::writeString, in -> Wire.readString(in, "s")));
    }

    @Test
    void mapsXdataAndDirentsKeepContentAndOrder() {
        Xdata x = Xdata.of("a", new byte[] {1}).with("b", new byte[0]).with("c", "γ".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Xdata back = roundTrip(x, Wire::writeXdata, Wire::readXdata);
        assertEquals(List.of("a", "b", "c"), List.copyOf(back.asMap().keySet()));
        assertArrayEquals(new byte[] {1}, back.get("a"));
        assertEquals(0, back.get("b").length);
        assertEquals("γ", back.getString("c"));
        assertSame(Xdata.EMPTY, roundTrip(Xdata.EMPTY, Wire::writeXdata, Wire::readXdata));

        List<Dirent> ds = List.of(new Dirent(".", 1, 1, 4, null, null), new Dirent("f", 2, 2, 8, IATT, x));
        List<Dirent> dsBack = roundTrip(ds, Wire::writeDirents, Wire::readDirents);
        assertEquals(2, dsBack.size());
        assertEquals(ds.get(0), dsBack.get(0));
        assertEquals(IATT, dsBack.get(1).attr());
        assertEquals("γ", dsBack.get(1).xdata().getString("c"));
        Map<String, byte[]> m = roundTrip(Map.of("k", new byte[] {9, 9}), Wire::writeByteMap, in -> Wire.readByteMap(in, "m"));
        assertArrayEquals(new byte[] {9, 9}, m.get("k"));
    }

    @Test
    void truncatedOrLyingInputIsRejectedNotOverRead() {
        ByteBuf b = Unpooled.buffer();
        try {
            Wire.writeIatt(b, IATT);
            ByteBuf cut = b.slice(0, b.readableBytes() - 3);
            MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> Wire.readIatt(cut, "attr"));
            assertTrue(e.getMessage().contains("truncated attr"), e.getMessage());

            ByteBuf lyingString = Unpooled.buffer().writeInt(1000).writeBytes(new byte[10]);
            assertThrows(MalformedFrameException.class, () -> Wire.readString(lyingString, "name"));
            lyingString.release();
            ByteBuf hugeCount = Unpooled.buffer().writeInt(Integer.MAX_VALUE);
            assertThrows(MalformedFrameException.class, () -> Wire.readDirents(hugeCount));
            hugeCount.release();
            ByteBuf badFlag = Unpooled.buffer().writeByte(7);
            assertThrows(MalformedFrameException.class, () -> Wire.readGfid(badFlag, "gfid"));
            badFlag.release();
        } finally {
            b.release();
        }
    }
}
