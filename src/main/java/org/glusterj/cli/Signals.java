package org.glusterj.cli;

import sun.misc.Signal;

/**
 * Runs an action on SIGINT and SIGTERM. Installed explicitly because a JVM started in the
 * background by a non-interactive shell inherits SIGINT as ignored and would not react to it.
 */
final class Signals {
    static void onTerminate(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> action.run());
        }
    }

    private Signals() {
    }
}
