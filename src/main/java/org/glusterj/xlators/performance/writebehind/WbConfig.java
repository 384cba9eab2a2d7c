package org.glusterj.xlators.performance.writebehind;

/** The write-behind options, resolved once at init. */
record WbConfig(long windowSize, long aggregateSize, boolean flushBehind, boolean tricklingWrites,
                boolean strictODirect, boolean strictWriteOrdering) {
}
