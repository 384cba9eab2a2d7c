package org.glusterj.xlators.features.locks;

/**
 * Who holds a lock: one lock owner (the kernel's lock_owner: a process's file table for fcntl
 * locks, an open file for flock) of one client connection, so that two processes on one mount
 * and two mounts never share an owner.
 */
record LockOwner(String client, long lkOwner) {
}
