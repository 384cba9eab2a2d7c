package org.glusterj.cli;

import jnr.ffi.LibraryLoader;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs an action on SIGINT and SIGTERM. A JVM started in the background by a non-interactive
 * shell inherits SIGINT as ignored, and HotSpot then silently refuses to handle it; so the
 * disposition is first reset to the default through libc.
 */
final class Signals {
    private static final int SIGINT = 2;
    private static final long SIG_DFL = 0L;

    /** The one libc call needed; sighandler_t is pointer-sized. */
    public interface LibC {
        long signal(int signum, long handler);
    }

    static void onTerminate(Runnable action) {
        try {
            LibraryLoader.create(LibC.class).load("c").signal(SIGINT, SIG_DFL);
        } catch (RuntimeException | LinkageError e) {
            LoggerFactory.getLogger(Signals.class).debug("could not reset SIGINT; it may stay ignored", e);
        }
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> action.run());
        }
    }

    private Signals() {
    }
}
