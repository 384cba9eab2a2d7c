package org.glusterj.xlators.mount.fuse;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import org.glusterj.core.Gfid;

/**
 * Which kernel inodes (libfuse node ids) show which file.
 *
 * <p>Why: libfuse's path API gives every name its own node, so the names of a hard link are
 * separate kernel inodes, each with attributes the kernel trusts for attr_timeout. A change made
 * through one name (link, unlink, rename over it, chmod, write) would show through the others
 * only once that expires, where a local filesystem shows it at once. Requests that address a node
 * itself carry its node id: the session loop notes the opcode and node id of the request each
 * thread serves, FuseBridge says which file that request is about, and after a change the kernel
 * is told to drop the cached attributes of the file's other nodes. A node the kernel forgets is
 * dropped here too.
 */
final class KernelInodes {
    // Opcodes whose node id is the file the request is about (not a parent directory).
    private static final Set<Integer> SELF_ADDRESSED = Set.of(3 /* GETATTR */, 4 /* SETATTR */, 14 /* OPEN */,
            15 /* READ */, 16 /* WRITE */, 18 /* RELEASE */, 20 /* FSYNC */, 21 /* SETXATTR */, 22 /* GETXATTR */,
            23 /* LISTXATTR */, 24 /* REMOVEXATTR */, 25 /* FLUSH */, 43 /* FALLOCATE */);

    private static final int FUSE_GETATTR = 3;

    /** Opcode and node id of the request this thread serves; 0, 0 outside one. */
    private static final ThreadLocal<long[]> SERVING = ThreadLocal.withInitial(() -> new long[2]);

    private final Map<Long, Gfid> files = new ConcurrentHashMap<>();
    private final Map<Gfid, Set<Long>> nodes = new ConcurrentHashMap<>();
    private volatile LongConsumer invalidate = nodeId -> { };

    /** Set by the session loop: drops the kernel's cached attributes of a node (notify_inval_inode). */
    void connect(LongConsumer invalidateAttributes) {
        this.invalidate = invalidateAttributes;
    }

    static void serving(int opcode, long nodeId) {
        long[] s = SERVING.get();
        s[0] = opcode;
        s[1] = nodeId;
    }

    static void served() {
        serving(0, 0);
    }

    /** The request being served on this thread is about {@code g}: remember its node if it addresses the file. */
    void seen(Gfid g) {
        long[] s = SERVING.get();
        if (g == null || s[1] == 0 || !SELF_ADDRESSED.contains((int) s[0]) || g.equals(files.get(s[1]))) return;
        Gfid before = files.put(s[1], g);
        if (g.equals(before)) return;
        if (before != null) drop(before, s[1]);
        nodes.computeIfAbsent(g, k -> ConcurrentHashMap.newKeySet()).add(s[1]);
    }

    /**
     * The file the kernel asks about when this thread serves a GETATTR of a node already seen to be
     * that file (opened, read, written...); null otherwise, e.g. for the LOOKUP of a name.
     */
    Gfid fileOfServedGetattr() {
        long[] s = SERVING.get();
        return s[0] == FUSE_GETATTR && s[1] != 0 ? files.get(s[1]) : null;
    }

    /** The kernel forgot a node (FORGET): its id may be given to another file later. */
    void forget(long nodeId) {
        Gfid g = files.remove(nodeId);
        if (g != null) drop(g, nodeId);
    }

    private void drop(Gfid g, long nodeId) {
        nodes.computeIfPresent(g, (k, set) -> {
            set.remove(nodeId);
            return set.isEmpty() ? null : set;
        });
    }

    /** {@code g} changed: other kernel inodes of it must ask for its attributes again. */
    void changed(Gfid g) {
        if (g == null) return;
        Set<Long> set = nodes.get(g);
        if (set == null) return;
        long self = SERVING.get()[1];
        for (long n : set) {
            if (n != self) invalidate.accept(n);
        }
    }

    int nodeCount() {
        return files.size();
    }
}
