/**
 * features/locks: fcntl byte-range locks and flock locks, kept in memory on the brick.
 *
 * <ul>
 *   <li>Owner: (client connection, lock_owner). protocol/server names each connection
 *       ({@link org.glusterj.core.Fd#client()} on every fd it opens), and libfuse passes the
 *       kernel's lock_owner (a process's file table for fcntl locks, the open file for flock),
 *       so two processes on one mount and two mounts never share an owner.</li>
 *   <li>Per inode and domain a {@link org.glusterj.xlators.features.locks.LockTable}: same-owner
 *       locks merge, split and convert like the kernel's; conflicts only between owners;
 *       F_GETLK answers the first conflicting lock with the pid its holder's kernel reported.</li>
 *   <li>F_SETLKW waits as a future in a FIFO queue, so no brick thread blocks; each time locks go
 *       away the queue is scanned in order and every request that now fits is granted.</li>
 *   <li>Locks go on unlock (libfuse unlocks the owner's locks on every flush, i.e. on every close
 *       as POSIX wants), on release of the fd they were taken through, and when the client's
 *       connection ends ({@link org.glusterj.core.ClientGoneListener}); an lk that a pool thread
 *       runs after its fd was released fails with EBADF instead of leaving a lock behind.</li>
 *   <li>flock locks live in their own domain (xdata key {@code glusterj.lk.flock}): as on Linux,
 *       they do not conflict with fcntl locks. GlusterFS mixes the two.</li>
 *   <li>entrylk: exclusive locks on a (domain, directory, name), which distribute takes around
 *       a rename. Read entry locks, whole-directory entry locks (no name), deadlock detection
 *       (EDEADLK), mandatory locking, lock revocation and inodelk are not implemented.</li>
 * </ul>
 */
package org.glusterj.xlators.features.locks;
