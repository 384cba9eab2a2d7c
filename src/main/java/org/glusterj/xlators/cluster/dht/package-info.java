/**
 * cluster/distribute (DHT), GlusterFS's way of spreading one namespace over several bricks.
 *
 * <ul>
 *   <li>{@link org.glusterj.xlators.cluster.dht.DmHash}: the Davies–Meyer name hash and rsync name munging,
 *       bit-identical to GlusterFS.</li>
 *   <li>{@link org.glusterj.xlators.cluster.dht.Layout}: a directory's per-subvolume hash ranges, their xattr
 *       form, fresh rotated layouts and the anomaly check that drives self-heal.</li>
 *   <li>{@link org.glusterj.xlators.cluster.dht.DirOffsets}: directory offsets that carry the subvolume index.</li>
 *   <li>{@link org.glusterj.xlators.cluster.dht.DistributeXlator}: the xlator; with DirectoryLayouts (directories
 *       on every subvolume: lookup, layout cache, self-heal, fix-layout) and DirListing (merged listings).</li>
 *   <li>{@link org.glusterj.xlators.cluster.dht.Rebalancer}: fix-layout and file migration after adding bricks.</li>
 * </ul>
 */
package org.glusterj.xlators.cluster.dht;
