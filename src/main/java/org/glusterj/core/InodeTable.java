package org.glusterj.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's inode table (GlusterFS inode_table_t): gfid → {@link Inode} and (parent gfid, name)
 * → dentry, so that a path can be resolved without asking the bricks for names already known.
 *
 * <p>Dentries expire after the entry timeout: another client may have renamed or removed the
 * name, so an expired dentry is no longer trusted for resolution and the caller revalidates it
 * with a lookup (which relinks it). An inode stays in the table while it is referenced: by at
 * least one dentry (counted in {@link Inode#nlookup()}), by an open fd ({@link #ref}), or because
 * it is the root. When the last reference goes, the inode is purged and {@code onForget} (the
 * graph's {@link Xlator#forget}) lets every xlator drop its state for it. A purged directory
 * takes its cached children's dentries with it: nothing could reach them any more.
 *
 * <p>Thread-safe: lookups of cached dentries are lock-free; changes are serialized on the table.
 */
public final class InodeTable {
    private static final Logger log = LoggerFactory.getLogger(InodeTable.class);

    /** GlusterFS fuse's default entry-timeout. */
    public static final Duration DEFAULT_ENTRY_TIMEOUT = Duration.ofSeconds(1);
    /** Beyond this many dentries, expired ones of unopened inodes are dropped (GlusterFS lru-limit). */
    public static final int DEFAULT_DENTRY_LIMIT = 65536;

    private record DentryKey(Gfid parent, String name) {
    }

    private record Dentry(Inode inode, long expiresAtNanos) {
    }

    /** Table-private bookkeeping for one inode; guarded by the table's monitor. */
    private static final class Node {
        final Inode inode;
        final Set<DentryKey> names = new HashSet<>(2);
        final Set<DentryKey> children = new HashSet<>();
        int openRefs;

        Node(Inode inode) {
            this.inode = inode;
        }
    }

    private final long entryTimeoutNanos;
    private final int dentryLimit;
    private final Consumer<Inode> onForget;
    private final LongSupplier nanoClock;
    private final Inode root;
    private final Map<Gfid, Node> nodes = new HashMap<>();
    private final ConcurrentHashMap<DentryKey, Dentry> dentries = new ConcurrentHashMap<>();
    // Inodes by gfid for lock-free get(); mirrors the keys of nodes.
    private final ConcurrentHashMap<Gfid, Inode> byGfid = new ConcurrentHashMap<>();

    public InodeTable(Duration entryTimeout, Consumer<Inode> onForget) {
        this(entryTimeout, DEFAULT_DENTRY_LIMIT, onForget, System::nanoTime);
    }

    /** {@code nanoClock} is injectable so that tests can expire entries without sleeping. */
    public InodeTable(Duration entryTimeout, int dentryLimit, Consumer<Inode> onForget, LongSupplier nanoClock) {
        if (entryTimeout == null || entryTimeout.isNegative()) {
            throw new IllegalArgumentException("entry timeout must be zero or positive, got " + entryTimeout);
        }
        if (dentryLimit < 1) throw new IllegalArgumentException("dentry limit must be at least 1, got " + dentryLimit);
        this.entryTimeoutNanos = entryTimeout.toNanos();
        this.dentryLimit = dentryLimit;
        this.onForget = onForget == null ? i -> { } : onForget;
        this.nanoClock = nanoClock;
        this.root = new Inode(Gfid.ROOT, FileType.S_IFDIR);
        nodes.put(Gfid.ROOT, new Node(root));
        byGfid.put(Gfid.ROOT, root);
    }

    public Inode root() {
        return root;
    }

    /** The inode with this gfid, or null if the table does not hold it. */
    public Inode get(Gfid gfid) {
        return byGfid.get(gfid);
    }

    /** The inode a still-valid dentry (parent, name) points to, or null if unknown or expired. */
    public Inode cached(Gfid parent, String name) {
        Dentry d = dentries.get(new DentryKey(parent, name));
        if (d == null || nanoClock.getAsLong() - d.expiresAtNanos > 0) return null;
        return d.inode;
    }

    /**
     * Resolves an absolute path from valid cached dentries only, component by component. Returns
     * null as soon as a component is unknown or expired: the caller then looks it up.
     */
    public Inode resolveCached(String path) {
        Inode cur = root;
        for (String name : components(path)) {
            cur = cached(cur.gfid(), name);
            if (cur == null) return null;
        }
        return cur;
    }

    /** The non-empty components of an absolute path ("/a//b/" → [a, b]). */
    public static List<String> components(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("expected an absolute path, got " + path);
        }
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) out.add(s);
        }
        return out;
    }

    /**
     * Records that {@code name} in {@code parent} is the object {@code attr} describes, as an entry
     * reply (lookup, create, mkdir, readdirp …) just said. Returns the table's inode for it (the
     * same object for the same gfid, so xlators' context slots stay attached).
     */
    public Inode link(Gfid parent, String name, Iatt attr) {
        if (parent == null || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("link needs a parent gfid and a name, got " + parent + "/" + name);
        }
        if (attr == null || attr.gfid() == null || attr.gfid().isNull()) {
            throw new IllegalArgumentException("entry reply for " + name + " carries no gfid");
        }
        List<Inode> purged = new ArrayList<>();
        Inode inode;
        synchronized (this) {
            Node node = nodeFor(attr.gfid(), attr.mode());
            inode = node.inode;
            if (attr.type() != 0 && inode.type() != attr.type()) inode.setType(attr.mode());
            DentryKey key = new DentryKey(parent, name);
            Dentry old = dentries.get(key);
            if (old != null && old.inode != inode) removeDentry(key, purged);
            if (node.names.add(key)) {
                inode.lookedUp();
                Node parentNode = nodes.get(parent);
                if (parentNode != null) parentNode.children.add(key);
            }
            dentries.put(key, new Dentry(inode, nanoClock.getAsLong() + entryTimeoutNanos));
            if (inode.isDirectory()) {
                // A directory has one name: another one means it was renamed elsewhere.
                for (DentryKey other : List.copyOf(node.names)) {
                    if (!other.equals(key)) removeDentry(other, purged);
                }
            }
            if (dentries.size() > dentryLimit) pruneExpired(purged);
        }
        forgetAll(purged);
        return inode;
    }

    /** Drops the dentry (parent, name), e.g. after unlink or rmdir or a lookup that said ENOENT. */
    public void unlink(Gfid parent, String name) {
        List<Inode> purged = new ArrayList<>();
        synchronized (this) {
            removeDentry(new DentryKey(parent, name), purged);
        }
        forgetAll(purged);
    }

    /**
     * Moves a dentry after a successful rename. Whatever the new name pointed to loses that name. If
     * the old name was not cached, nothing is linked: the caller links the new name from the reply.
     */
    public void rename(Gfid oldParent, String oldName, Gfid newParent, String newName) {
        List<Inode> purged = new ArrayList<>();
        synchronized (this) {
            moveDentry(new DentryKey(oldParent, oldName), new DentryKey(newParent, newName), purged);
        }
        forgetAll(purged);
    }

    /** Forgets every name of an inode, e.g. when a fop by its gfid said ESTALE. */
    public void invalidate(Inode inode) {
        List<Inode> purged = new ArrayList<>();
        synchronized (this) {
            Node node = nodes.get(inode.gfid());
            if (node == null || node.inode != inode) return;
            for (DentryKey k : List.copyOf(node.names)) removeDentry(k, purged);
        }
        forgetAll(purged);
    }

    /**
     * Takes a reference for an open fd and returns the table's inode for that gfid (adding
     * {@code inode} if the table does not hold one). Pair with {@link #unref}.
     */
    public Inode ref(Inode inode) {
        synchronized (this) {
            Node node = nodes.get(inode.gfid());
            if (node == null) {
                node = new Node(inode);
                nodes.put(inode.gfid(), node);
                byGfid.put(inode.gfid(), inode);
            }
            node.openRefs++;
            return node.inode;
        }
    }

    /** Drops a reference taken by {@link #ref}; the inode is purged if nothing else holds it. */
    public void unref(Inode inode) {
        List<Inode> purged = new ArrayList<>();
        synchronized (this) {
            Node node = nodes.get(inode.gfid());
            if (node == null || node.inode != inode || node.openRefs == 0) {
                log.warn("unbalanced unref of {}", inode);
                return;
            }
            node.openRefs--;
            purgeIfUnused(node, purged);
        }
        forgetAll(purged);
    }

    /** How many inodes the table holds, root included. */
    public synchronized int size() {
        return nodes.size();
    }

    public int dentryCount() {
        return dentries.size();
    }

    // ---- internals; callers hold the monitor ----

    private Node nodeFor(Gfid gfid, int mode) {
        Node node = nodes.get(gfid);
        if (node == null) {
            node = new Node(new Inode(gfid, mode));
            nodes.put(gfid, node);
            byGfid.put(gfid, node.inode);
        }
        return node;
    }

    private void removeDentry(DentryKey key, List<Inode> purged) {
        Dentry d = dentries.remove(key);
        if (d == null) return;
        Node parentNode = nodes.get(key.parent());
        if (parentNode != null) parentNode.children.remove(key);
        Node node = nodes.get(d.inode.gfid());
        if (node == null || node.inode != d.inode) return;
        if (node.names.remove(key)) d.inode.forgotten(1);
        purgeIfUnused(node, purged);
    }

    private void purgeIfUnused(Node node, List<Inode> purged) {
        if (node.inode == root || !node.names.isEmpty() || node.openRefs > 0) return;
        nodes.remove(node.inode.gfid());
        byGfid.remove(node.inode.gfid());
        purged.add(node.inode);
        for (DentryKey child : List.copyOf(node.children)) removeDentry(child, purged);
    }

    private void moveDentry(DentryKey from, DentryKey to, List<Inode> purged) {
        if (from.equals(to)) return;
        Dentry moving = dentries.get(from);
        Dentry replaced = dentries.get(to);
        if (replaced != null && (moving == null || replaced.inode != moving.inode)) removeDentry(to, purged);
        if (moving == null) return;
        Node node = nodes.get(moving.inode.gfid());
        dentries.remove(from);
        node.names.remove(from);
        Node oldParentNode = nodes.get(from.parent());
        if (oldParentNode != null) oldParentNode.children.remove(from);
        if (node.names.add(to)) {
            Node newParentNode = nodes.get(to.parent());
            if (newParentNode != null) newParentNode.children.add(to);
        } else {
            moving.inode.forgotten(1); // it already had the new name too (a hard link)
        }
        dentries.put(to, new Dentry(moving.inode, nanoClock.getAsLong() + entryTimeoutNanos));
    }

    private void pruneExpired(List<Inode> purged) {
        long now = nanoClock.getAsLong();
        for (Map.Entry<DentryKey, Dentry> e : List.copyOf(dentries.entrySet())) {
            if (now - e.getValue().expiresAtNanos <= 0) continue;
            Node node = nodes.get(e.getValue().inode.gfid());
            if (node != null && node.openRefs > 0) continue;
            removeDentry(e.getKey(), purged);
        }
    }

    /** Runs outside the monitor: xlators' forget may do work of their own. */
    private void forgetAll(List<Inode> purged) {
        for (Inode inode : purged) {
            try {
                onForget.accept(inode);
            } catch (RuntimeException e) {
                log.warn("forget of {} failed", inode, e);
            }
        }
    }
}
