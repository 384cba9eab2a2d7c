package org.glusterj.xlators.cluster.dht;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;

/** What one subvolume answered to a fop that went to several: a value or an errno. */
record Outcome<T>(int subvol, T value, Errno error) {

    boolean ok() {
        return error == null;
    }

    /**
     * Sends a fop to each of {@code subvols} at once and completes, never exceptionally, when all
     * have answered. A call that throws instead of returning a future counts as that subvolume's
     * failure, so one broken child cannot leave the others' answers unread.
     */
    static <T> CompletableFuture<List<Outcome<T>>> all(List<Integer> subvols, IntFunction<CompletableFuture<T>> fop) {
        List<CompletableFuture<Outcome<T>>> calls = new ArrayList<>(subvols.size());
        for (int i : subvols) calls.add(one(i, fop));
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(v -> calls.stream().map(CompletableFuture::join).toList());
    }

    static <T> CompletableFuture<Outcome<T>> one(int subvol, IntFunction<CompletableFuture<T>> fop) {
        CompletableFuture<T> f;
        try {
            f = fop.apply(subvol);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((v, t) -> t == null ? new Outcome<>(subvol, v, null)
                : new Outcome<>(subvol, null, FopException.errnoOf(t)));
    }

    /** One errno for a fop that failed everywhere: ENOENT/ESTALE if any said so, ENOTCONN if all were down. */
    static FopException failure(List<? extends Outcome<?>> outs, Object what) {
        Errno chosen = null;
        boolean allDown = !outs.isEmpty();
        for (Outcome<?> o : outs) {
            if (o.ok()) continue;
            if (o.error() != Errno.ENOTCONN) allDown = false;
            if (o.error() == Errno.ENOENT) chosen = Errno.ENOENT;
            else if (o.error() == Errno.ESTALE && chosen != Errno.ENOENT) chosen = Errno.ESTALE;
            else if (chosen == null && o.error() != Errno.ENOTCONN) chosen = o.error();
        }
        if (allDown) chosen = Errno.ENOTCONN;
        if (chosen == null) chosen = Errno.EIO;
        return chosen.exception(String.valueOf(what));
    }
}
