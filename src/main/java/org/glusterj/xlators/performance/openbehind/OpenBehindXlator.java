package org.glusterj.xlators.performance.openbehind;

import static org.glusterj.core.OpenFlags.O_CREAT;
import static org.glusterj.core.OpenFlags.O_EXCL;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.Done;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.xlators.performance.DeferredOpenXlator;

/**
 * performance/open-behind: open answers at once and the open is sent to the bricks only when a
 * fop needs the open file (read, write, fsync, ftruncate, lk, fd xattr fops, …). A file that is
 * opened and read from quick-read's cache (above) and closed costs no round trip at all: its
 * flush is answered here and its release sends nothing.
 *
 * <p>By default only opens that carry {@value #CONTENT_HELD_KEY} are deferred: quick-read above
 * sets it when it holds the file's content and will answer the fd's reads itself, even after
 * another client replaced or removed the file. Any other deferred open is a gamble: if another
 * client replaces the file before a read needs the open, the open (by gfid) and so the read fail
 * with ESTALE, where a local filesystem would read the old file. defer-uncached takes that gamble.
 *
 * <p>Failures of the deferred open are reported on the fop that needed it, and on every later
 * fop of that fd that needs the open file (as GlusterFS marks the fd bad for ever: the open was by
 * gfid, and sent again it would only say the same). Not on flush, unlike GlusterFS: nothing is open
 * on the bricks for that fd, so nothing was written or locked through it there (those fops wait
 * for the open and failed with it) and a close has nothing to report; and the open may have been
 * sent by open-behind on its own account, for an unlink or rename of a file another client had
 * already removed or replaced, which must not make close(2) fail. Nor is the fd released below:
 * a failed open leaves nothing open there. Opens with O_CREAT, O_EXCL or O_TRUNC are sent at once
 * (they change the file).
 * Before an unlink or a rename over a file, the opens deferred for it are sent, so that an open
 * file stays readable after its last name is gone, as POSIX wants. fstat of an fd not opened yet
 * is answered by a stat of its gfid, which needs no open.
 *
 * <p>glusterj's protocol has no anonymous fds, so a read that reaches here always opens the file
 * first (GlusterFS's read-after-open); use-anonymous-fd is accepted and has no effect.
 */
public final class OpenBehindXlator extends DeferredOpenXlator {
    public static final Option<Boolean> LAZY_OPEN = Option.bool("lazy-open", true,
            "Send the open only when a fop needs it; off sends it right after answering.");
    public static final Option<Boolean> READ_AFTER_OPEN = Option.bool("read-after-open", true,
            "Accepted for GlusterFS compatibility: reads always wait for the real open here.");
    public static final Option<Boolean> USE_ANONYMOUS_FD = Option.bool("use-anonymous-fd", false,
            "Accepted for GlusterFS compatibility; glusterj has no anonymous fds, so no effect.");
    public static final Option<Boolean> DEFER_UNCACHED = Option.bool("defer-uncached", false,
            "Also defer opens whose content no translator above holds: saves a round trip per open, but a read "
                    + "after another client replaced the file then fails with ESTALE.");
    public static final Option<Boolean> PASS_THROUGH = Option.bool("pass-through", false,
            "Pass every fop through untouched.");
    public static final List<Option<?>> OPTIONS = List.of(LAZY_OPEN, READ_AFTER_OPEN, USE_ANONYMOUS_FD,
            DEFER_UNCACHED, PASS_THROUGH);

    /**
     * Open xdata set by a translator above (quick-read) that holds the file's content and answers
     * the fd's reads: the open may be deferred safely. Never sent further down.
     */
    public static final String CONTENT_HELD_KEY = "glusterj.open-behind.content-held";

    public static final XlatorType TYPE = new XlatorType("performance/open-behind", List.of(),
            "Answers open at once and opens on the bricks only when a fop needs the open file.",
            OPTIONS, OpenBehindXlator::new);

    private final boolean enabled;
    private final boolean lazy;
    private final boolean deferUncached;
    /** Deferred opens by the gfid they open, so that unlink and rename can send them first. */
    private final Map<Gfid, Set<DeferredOpen>> byGfid = new ConcurrentHashMap<>();

    public OpenBehindXlator(XlatorConfig config) {
        super(config);
        this.enabled = !options().get(PASS_THROUGH);
        this.lazy = options().get(LAZY_OPEN);
        this.deferUncached = options().get(DEFER_UNCACHED);
    }

    /**
     * An open answered here; {@link #send} winds it, once, unless the fd was released first. An
     * unlink or rename sends the opens of the fds open on its file at that moment, and one of them
     * may be released meanwhile: its open, sent then, would leave a remote fd nobody releases (and
     * on the brick an unlinked file kept until the client disconnects).
     */
    private final class DeferredOpen {
        final Caller caller;
        final Loc loc;
        final int flags;
        final Fd fd;
        final Xdata xdata;
        private CompletableFuture<Done> sent; // guarded by this
        private boolean released; // guarded by this

        DeferredOpen(Caller caller, Loc loc, int flags, Fd fd, Xdata xdata) {
            this.caller = caller;
            this.loc = loc;
            this.flags = flags;
            this.fd = fd;
            this.xdata = xdata;
        }

        CompletableFuture<Done> send() {
            CompletableFuture<Done> f;
            synchronized (this) {
                if (sent != null) return sent;
                if (released) return CompletableFuture.failedFuture(Errno.EBADF.exception(fd + " was released"));
                f = sent = new CompletableFuture<>();
            }
            firstChild().open(caller, loc, flags, fd, xdata).whenComplete((d, t) -> {
                if (t != null) f.completeExceptionally(t);
                else f.complete(d);
            });
            return f;
        }

        synchronized CompletableFuture<Done> sentOrNull() {
            return sent;
        }

        /** The fd is released: nothing is sent from now on. Returns the open sent before, or null. */
        synchronized CompletableFuture<Done> released() {
            released = true;
            return sent;
        }
    }

    /** Whether {@code fd} was answered here and its open not sent yet (for tests). */
    boolean isDeferred(Fd fd) {
        DeferredOpen d = fd.ctx(this);
        return d != null && d.sentOrNull() == null;
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        boolean held = x.has(CONTENT_HELD_KEY);
        if (held) x = x.without(CONTENT_HELD_KEY);
        if (!enabled || (flags & (O_CREAT | O_EXCL | O_TRUNC)) != 0 || fd.gfid() == null || !(held || deferUncached)) {
            return firstChild().open(c, loc, flags, fd, x);
        }
        DeferredOpen d = new DeferredOpen(c, loc, flags, fd, x);
        fd.setCtx(this, d);
        byGfid.compute(fd.gfid(), (g, set) -> {
            Set<DeferredOpen> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(d);
            return s;
        });
        if (!lazy) d.send();
        return CompletableFuture.completedFuture(Done.OK);
    }

    @Override
    protected CompletableFuture<Done> sendDeferredOpen(Fd fd) {
        DeferredOpen d = fd.ctx(this);
        return d == null ? null : d.send();
    }

    // ---- fops that need no open file while nothing was sent (the others: DeferredOpenXlator) ----

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        DeferredOpen d = fd.ctx(this);
        if (d == null) return firstChild().flush(c, fd, x);
        // Nothing was ever sent on an fd whose open was not sent, or failed: nothing to flush.
        CompletableFuture<Done> sent = d.sentOrNull();
        if (sent == null) return CompletableFuture.completedFuture(Done.OK);
        return sent.handle((done, t) -> t == null ? firstChild().flush(c, fd, x)
                : CompletableFuture.completedFuture(Done.OK)).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        DeferredOpen d = fd.ctx(this);
        if (d != null && d.sentOrNull() == null) return firstChild().stat(c, Loc.of(fd.gfid(), d.loc.path()), x);
        return opened(fd, () -> firstChild().fstat(c, fd, x));
    }

    // ---- the last name of a file with deferred opens may go away ----

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return afterOpensOf(loc.gfid(), () -> firstChild().unlink(c, loc, xflags, x));
    }

    /** The target may be named without its gfid: deferred opens made through that name count too. */
    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled || byGfid.isEmpty()) return firstChild().rename(c, oldLoc, newLoc, x);
        List<DeferredOpen> pending = new ArrayList<>();
        for (Set<DeferredOpen> set : byGfid.values()) {
            for (DeferredOpen d : set) {
                boolean sameObject = newLoc.gfid() != null && newLoc.gfid().equals(d.fd.gfid());
                boolean sameName = newLoc.hasEntry() && newLoc.parent().equals(d.loc.parent())
                        && newLoc.name().equals(d.loc.name());
                if (sameObject || sameName) pending.add(d);
            }
        }
        return afterOpens(pending, () -> firstChild().rename(c, oldLoc, newLoc, x));
    }

    /** Sends the deferred opens of {@code g} and runs {@code fop} when they are answered, however they end. */
    private <T> CompletableFuture<T> afterOpensOf(Gfid g, Supplier<CompletableFuture<T>> fop) {
        Set<DeferredOpen> pending = !enabled || g == null ? null : byGfid.get(g);
        return afterOpens(pending == null ? List.of() : List.copyOf(pending), fop);
    }

    private <T> CompletableFuture<T> afterOpens(List<DeferredOpen> pending, Supplier<CompletableFuture<T>> fop) {
        if (pending.isEmpty()) return fop.get();
        CompletableFuture<?>[] opens = pending.stream().map(DeferredOpen::send).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(opens).handle((v, t) -> fop.get()).thenCompose(f -> f);
    }

    // ---- end of the fd ----

    @Override
    public void release(Fd fd) {
        DeferredOpen d = fd.takeCtx(this);
        if (d == null) {
            super.release(fd);
            return;
        }
        byGfid.computeIfPresent(fd.gfid(), (g, set) -> {
            set.remove(d);
            return set.isEmpty() ? null : set;
        });
        CompletableFuture<Done> sent = d.released();
        if (sent == null) return; // never opened below, and now never will be: nothing there to release
        // An open in flight would leak its remote fd; one that failed left nothing open below.
        sent.whenComplete((r, t) -> {
            if (t == null) super.release(fd);
        });
    }
}
