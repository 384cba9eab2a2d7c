package org.glusterj.xlators.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TraceXlatorTest {
    private static final Caller C = Caller.of(1000, 100, 42);
    private static final Gfid G = Gfid.random();
    private static final Iatt ATTR = new Iatt(G, FileType.S_IFREG | 0644, 1, 0, 0, 0, 5, 8, 4096, 0, 0, 0, 0, 0, 0);

    private final ScriptedChild child = new ScriptedChild();
    private final ch.qos.logback.classic.Logger logger =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(TraceXlator.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level previousLevel;

    @BeforeEach
    void captureLog() {
        previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void restoreLog() {
        logger.detachAppender(logged);
        logger.setLevel(previousLevel);
    }

    private TraceXlator trace(String... options) {
        return new TraceXlator(XlatorConfig.of("tr", TraceXlator.TYPE.type(), Options.of(options), List.of(child)));
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void logsTheWindWithArgumentsAndTheUnwindWithTheReply() throws Exception {
        TraceXlator t = trace();
        AttrReply reply = new AttrReply(ATTR, Xdata.EMPTY);
        child.statReply = CompletableFuture.completedFuture(reply);
        assertSame(reply, t.stat(C, Loc.of(G, "/dir/file"), Xdata.EMPTY).get());
        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("tr #1 STAT(loc="), lines.get(0));
        assertTrue(lines.get(0).contains("/dir/file") && lines.get(0).contains("uid=1000 gid=100 pid=42"), lines.get(0));
        assertTrue(lines.get(1).startsWith("tr #1 STAT -> AttrReply["), lines.get(1));
        assertTrue(lines.get(1).contains("size=5"), lines.get(1));
    }

    @Test
    void logsTheErrnoOfAFailedFopAndPassesTheFailureUp() {
        TraceXlator t = trace();
        child.statReply = CompletableFuture.failedFuture(new FopException(Errno.ENOENT));
        ExecutionException e = assertThrows(ExecutionException.class, () -> t.stat(C, Loc.of(G, "/x"), Xdata.EMPTY).get());
        assertEquals(Errno.ENOENT, FopException.errnoOf(e));
        assertTrue(lines().get(1).startsWith("tr #1 STAT failed: ENOENT"), lines().toString());
    }

    @Test
    void showsDataAsItsLengthNotItsContent() throws Exception {
        TraceXlator t = trace();
        child.writeReply = CompletableFuture.completedFuture(new ChangeReply(ATTR, ATTR, Xdata.EMPTY));
        ByteBuf data = Unpooled.copiedBuffer("secret-content", StandardCharsets.UTF_8);
        Fd fd = new Fd(new Inode(G, FileType.S_IFREG), 0, 42);
        t.writev(C, fd, data, 7, 0, Xdata.EMPTY).get();
        ByteBuf read = Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8);
        child.readReply = CompletableFuture.completedFuture(new ReadReply(read, ATTR, Xdata.EMPTY));
        ReadReply r = t.readv(C, fd, 4096, 0, 0, Xdata.EMPTY).get();
        assertEquals("abc", r.data().toString(StandardCharsets.UTF_8));
        String all = String.join("\n", lines());
        assertTrue(all.contains("data=14 bytes") && all.contains("offset=7"), all);
        assertTrue(all.contains("ReadReply[3 bytes"), all);
        assertTrue(!all.contains("secret"), all);
        data.release();
        read.release();
    }

    @Test
    void includeAndExcludeOpsChooseWhatIsLogged() throws Exception {
        child.statReply = CompletableFuture.completedFuture(new AttrReply(ATTR, Xdata.EMPTY));
        child.readReply = CompletableFuture.completedFuture(new ReadReply(Unpooled.buffer(0), ATTR, Xdata.EMPTY));
        Fd fd = new Fd(new Inode(G, FileType.S_IFREG), 0, 42);
        TraceXlator onlyReads = trace("include-ops", "readv");
        onlyReads.stat(C, Loc.of(G, "/a"), Xdata.EMPTY).get();
        onlyReads.readv(C, fd, 10, 0, 0, Xdata.EMPTY).get();
        assertEquals(2, lines().size(), lines().toString());
        assertTrue(lines().stream().allMatch(l -> l.contains("READ")), lines().toString());
        logged.list.clear();
        TraceXlator noStat = trace("exclude-ops", "stat, lookup");
        noStat.stat(C, Loc.of(G, "/a"), Xdata.EMPTY).get();
        assertEquals(List.of(), lines());
        assertEquals(List.of("stat /a", "readv 10@0", "stat /a"), List.copyOf(child.calls), "every fop still reached the child");
    }

    @Test
    void fopListsTakeGlusterfsNamesAndRefuseUnknownOnes() {
        assertEquals(EnumSet.of(Fop.READ, Fop.WRITE, Fop.LOOKUP), TraceXlator.parseFops("readv, writev lookup"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceXlator.parseFops("stat,bogus"));
        assertTrue(e.getMessage().contains("\"bogus\"") && e.getMessage().contains("lookup"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TraceXlator.parseFops(" , "));
    }
}
