package org.glusterj.core;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that need not delay the answer to the request a thread is serving. A FUSE worker answers
 * the kernel only when its callback returns, so a write that write-behind acknowledges at once
 * would still wait for its own RPC to be written to the socket (on loopback the receiving side's
 * TCP processing runs in the sender's thread too). A thread that serves requests calls
 * {@link #enable()} once and {@link #runQueued()} after each answer; work handed to
 * {@link #run(Runnable)} meanwhile runs then, on the same thread and in order. On any other
 * thread it runs at once.
 *
 * <p>Only for work the request being served does not wait for: anything it awaits would then
 * wait for its own answer.
 */
public final class AfterReply {
    private static final Logger log = LoggerFactory.getLogger(AfterReply.class);
    private static final ThreadLocal<ArrayDeque<Runnable>> QUEUE = new ThreadLocal<>();

    private AfterReply() {
    }

    public static void run(Runnable work) {
        ArrayDeque<Runnable> q = QUEUE.get();
        if (q == null) work.run();
        else q.add(work);
    }

    /** Makes this thread, which answers requests, queue work until {@link #runQueued()}. */
    public static void enable() {
        QUEUE.set(new ArrayDeque<>());
    }

    /** Runs the work queued while serving the request just answered. */
    public static void runQueued() {
        ArrayDeque<Runnable> q = QUEUE.get();
        if (q == null) return;
        for (Runnable work; (work = q.poll()) != null; ) {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.error("work queued behind an answer failed", e);
            }
        }
    }
}
