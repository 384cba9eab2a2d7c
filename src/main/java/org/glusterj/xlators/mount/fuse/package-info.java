/**
 * mount/fuse: the FUSE client edge, {@link org.glusterj.xlators.mount.fuse.FuseBridge} over
 * jnr-fuse 0.5.8 and libfuse 2.9's high-level (path based) API.
 *
 * <p>Facts this package relies on, checked on a real mount (see FuseBridgeMountIT):
 * <ul>
 *   <li>umask: the kernel masks the mode of create/mkdir/mknod before libfuse sees it (libfuse 2.9
 *       never requests FUSE_CAP_DONT_MASK), so fops carry the final mode and umask 0.</li>
 *   <li>utimens: with flag_utime_omit_ok set (bit 2 of the bitfield at byte 304 of struct
 *       fuse_operations, which jnr-fuse declares only as padding) UTIME_NOW/UTIME_OMIT reach us and
 *       go to the bricks unchanged; without it libfuse substitutes its own clock for both times.</li>
 *   <li>No hard_remove: the kernel's GETATTR for fstat(2) carries no file handle, so libfuse needs
 *       a path for an unlinked open file. It renames such a file to .fuse_hiddenXXX; FuseBridge
 *       makes that an unlink on the bricks plus a name known to this client only (HiddenFiles).
 *       flag_nullpath_ok (bit 0) still lets handle-based requests arrive without a path.</li>
 *   <li>negative_timeout=0: another client may create any name at any time, so the kernel must
 *       not cache "no such file" (GlusterFS's default too).</li>
 *   <li>jnr-fuse's fsyncdir has no datasync argument; it is passed as false.</li>
 *   <li>Requests are read and served by Java threads (FuseSessionLoop over fuse_setup and
 *       fuse_session_receive_buf/process_buf), not by fuse_loop_mt's native threads, which jffi
 *       would attach as a new java.lang.Thread for each of their first 1000 callbacks. The number
 *       kept ready is the mount option reader-thread-count (GlusterFS's name, default 4; libfuse
 *       never sees it); one more starts whenever all are busy (up to 256), so waiting requests,
 *       such as processes blocked in F_SETLKW, starve none; beyond 10 idle, workers end.</li>
 *   <li>F_SETLKW has no time limit; with the "intr" option (intr_signal=44, since SIGUSR1 is the
 *       io-stats dump) libfuse reports a kernel INTERRUPT through fuse_interrupted(), which the
 *       waiting thread polls every 100 ms and answers by withdrawing the wait on the bricks, so
 *       Ctrl-C of a process blocked in fcntl works.</li>
 *   <li>The inode table's dentry timeout is Settings.entryTimeout; an entry_timeout given with -o
 *       changes only the kernel's cache.</li>
 *   <li>libfuse 2.9 answers FUSE_LSEEK with ENOSYS, after which the kernel treats every file as
 *       all data; the session loop answers it itself from the raw request (LseekRequests), so
 *       SEEK_DATA/SEEK_HOLE reach the bricks.</li>
 *   <li>libfuse 2.9's rename deadlocks on a rename of a name onto itself (it waits for the write
 *       lock it already holds), which the kernel sends when another client changed the name
 *       between its two lookups; the session loop answers those with ENOENT itself
 *       (SameNameRenames), so the mount does not hang.</li>
 *   <li>libfuse's path API makes every name of a hard link its own kernel inode. The session loop
 *       notes the node id of each request; after a change through one name the kernel is told to
 *       drop the attributes of the file's other nodes (KernelInodes), so nlink, ctime and size
 *       show through every name at once.</li>
 *   <li>FUSE_HANDLE_KILLPRIV_V2 is asked for in libfuse's INIT reply when the kernel offers it
 *       (SetIdKill): the bricks then clear set-id bits on an unprivileged write or truncate, and
 *       the kernel stops asking for security.capability before every write.</li>
 *   <li>The mount is nodev,nosuid: auto_unmount makes libfuse mount through fusermount, which
 *       always adds both. Device nodes and set-id files can be made and are kept; they do not
 *       act as devices or set-id programs through this mount.</li>
 * </ul>
 */
package org.glusterj.xlators.mount.fuse;
