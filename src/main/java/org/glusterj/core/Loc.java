package org.glusterj.core;

/**
 * Where a fop applies (GlusterFS loc_t). An existing object is addressed by {@code gfid}; an entry
 * by {@code parent} + {@code name}. For fops that create an entry (create, mkdir, mknod, symlink,
 * link's new name) {@code gfid} is the gfid the client chose for the new object, so that every
 * brick agrees on it. {@code path} is only for messages and logs.
 */
public record Loc(Gfid gfid, Gfid parent, String name, String path) {

    public static Loc of(Gfid gfid, String path) {
        return new Loc(gfid, null, null, path);
    }

    public static Loc entry(Gfid parent, String name, String path) {
        return new Loc(null, parent, name, path);
    }

    public static Loc root() {
        return new Loc(Gfid.ROOT, null, null, "/");
    }

    public Loc withGfid(Gfid g) {
        return new Loc(g, parent, name, path);
    }

    public boolean hasEntry() {
        return parent != null && name != null;
    }

    @Override
    public String toString() {
        if (path != null) return path;
        if (hasEntry()) return "<gfid:" + parent + ">/" + name;
        return "<gfid:" + gfid + ">";
    }
}
