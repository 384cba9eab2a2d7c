package org.glusterj.it;

import java.time.Duration;
import java.util.concurrent.Callable;

final class Waits {
    /** Polls {@code condition} until it is true, failing with {@code what} after {@code limit}. */
    static void until(Duration limit, String what, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) return;
                last = null;
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what
                + (last == null ? "" : " (last error: " + last + ")"));
    }

    private Waits() {
    }
}
