package org.glusterj.xlators.debug;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one fop, updated from any thread without locks: LongAdders for the sums (no
 * contention on the hot path) and compare-and-set for the extremes (rarely retried, since a new
 * minimum or maximum is rare once warm).
 */
public final class FopStats {
    private final LongAdder calls = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder timed = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong minNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong maxNanos = new AtomicLong(0);

    void called() {
        calls.increment();
    }

    void completed(long nanos, boolean failed) {
        if (failed) errors.increment();
        if (nanos < 0) return;
        timed.increment();
        totalNanos.add(nanos);
        long m;
        while (nanos < (m = minNanos.get()) && !minNanos.compareAndSet(m, nanos)) {
            // retry: another thread moved the minimum
        }
        while (nanos > (m = maxNanos.get()) && !maxNanos.compareAndSet(m, nanos)) {
            // retry: another thread moved the maximum
        }
    }

    /** A consistent-enough copy for reporting; sums taken while fops run may be a few calls apart. */
    public Snapshot snapshot() {
        long n = timed.sum();
        long min = minNanos.get();
        return new Snapshot(calls.sum(), errors.sum(), n, n == 0 ? 0 : totalNanos.sum() / n,
                min == Long.MAX_VALUE ? 0 : min, maxNanos.get());
    }

    /**
     * @param calls   fops wound
     * @param errors  fops that failed
     * @param timed   fops whose latency was measured (0 with latency-measurement off)
     */
    public record Snapshot(long calls, long errors, long timed, long avgNanos, long minNanos, long maxNanos) {
    }
}
