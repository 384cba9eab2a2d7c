/**
 * storage/posix: the brick's storage xlator.
 *
 * <p>On-disk layout (compatible with GlusterFS bricks): every file keeps its volume path under
 * the brick directory, so a brick stays readable without glusterj. Each object carries its gfid in
 * the {@code trusted.gfid} xattr (16 raw bytes) and is indexed under {@code .glusterfs/xx/yy/<gfid>}
 * (xx, yy = the first two gfid bytes in hex): a hard link for files, symlinks and special files, a
 * symlink {@code ../../<p0>/<p1>/<parent-gfid>/<name>} for directories; the root's handle is a
 * symlink to {@code ../../..}. Files whose last name goes while open wait in
 * {@code .glusterfs/unlink/<gfid>} until their last release.
 *
 * <p>Creation is atomic for lookups: a non-directory is made at its handle path, tagged (gfid,
 * owner, mode) and only then hard-linked to its name ({@link
 * org.glusterj.xlators.storage.posix.HandleFirst}). A directory is named first and tagged last;
 * a lookup that finds an object without gfid whose ctime is under a second old (GlusterFS's
 * "fresh file" rule) waits for its creator's gfid instead of assigning one, and only objects
 * that stay untagged past that (made directly in the brick by a user) get a new gfid.
 *
 * <p>Safety: every call is relative to an open directory fd ({@code *at} calls with
 * AT_SYMLINK_NOFOLLOW / O_NOFOLLOW, xattr calls through {@code /proc/self/fd/N/name}); directory
 * paths are rebuilt from handle symlinks as plain strings and opened with openat2
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (or an O_NOFOLLOW walk on old kernels), and the directory
 * reached must carry the gfid asked for. Nothing a client sends can make the brick follow a
 * symlink or leave the brick directory.
 *
 * <p>Native calls go through {@link org.glusterj.xlators.storage.posix.LibC} (jnr-ffi, glibc
 * x86_64 struct layouts); data moves between the native fd and Netty direct memory without copies.
 */
package org.glusterj.xlators.storage.posix;
