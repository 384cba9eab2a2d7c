package org.glusterj.core;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Per-xlator private state attached to an inode or fd (GlusterFS inode_ctx/fd_ctx): one slot per
 * xlator, indexed by {@link Xlator#slot()}. Reads are lock-free; writes are rare and synchronized.
 */
public class ContextSlots {
    private volatile Object[] slots = new Object[0];

    @SuppressWarnings("unchecked")
    public final <T> T ctx(Xlator owner) {
        Object[] s = slots;
        int i = owner.slot();
        return i < s.length ? (T) s[i] : null;
    }

    public final synchronized void setCtx(Xlator owner, Object value) {
        int i = owner.slot();
        Object[] s = slots;
        if (i >= s.length) s = Arrays.copyOf(s, i + 1);
        else s = s.clone();
        s[i] = value;
        slots = s;
    }

    @SuppressWarnings("unchecked")
    public final synchronized <T> T ctxIfAbsent(Xlator owner, Supplier<T> create) {
        T existing = ctx(owner);
        if (existing != null) return existing;
        T made = create.get();
        setCtx(owner, made);
        return made;
    }

    /** Removes and returns this xlator's state, e.g. on release or forget. */
    @SuppressWarnings("unchecked")
    public final synchronized <T> T takeCtx(Xlator owner) {
        T old = ctx(owner);
        if (old != null) setCtx(owner, null);
        return old;
    }
}
