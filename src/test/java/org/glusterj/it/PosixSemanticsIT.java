package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POSIX semantics through a real mount of a 2-brick volume with the default client stack: each
 * check of posix_checks.py runs on the mount and on a local ext4 directory (the bricks' filesystem
 * type), every outcome must be the local one, and the outcomes that matter are asserted by value.
 * Locks are not covered here.
 */
class PosixSemanticsIT {
    private static final long GIB = 1L << 30;
    private static Cluster cluster;
    private static PosixChecks checks;

    @BeforeAll
    static void mount() throws Exception {
        removeTreesDeeperThanPathMax();
        cluster = new Cluster("posix-semantics-it");
        BrickProcess b1 = cluster.startBrick("b1");
        BrickProcess b2 = cluster.startBrick("b2");
        Path mnt = cluster.mount("mnt").mountpoint;
        checks = new PosixChecks(mnt, List.of(b1.dir, b2.dir), cluster.root.resolve("local"), cluster.root.resolve("logs"));
    }

    /**
     * A run stopped midway may leave the long-path check's tree (deeper than PATH_MAX), which
     * Java cannot delete; rm can. Never through a live mount: unmounted first, and rm stays on
     * this filesystem.
     */
    private static void removeTreesDeeperThanPathMax() throws Exception {
        Path root = Path.of("target", "it", "posix-semantics-it").toAbsolutePath();
        if (!java.nio.file.Files.exists(root)) return;
        FuseMount.forceUnmount(root.resolve("mnt"));
        Process rm = new ProcessBuilder("rm", "-rf", "--one-file-system", root.toString()).inheritIO().start();
        if (!rm.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) rm.destroyForcibly();
    }

    @AfterAll
    static void unmount() throws Exception {
        if (cluster == null) return;
        cluster.close();
        assertFalse(FuseMount.isMounted(cluster.root.resolve("mnt")), "mount left behind");
    }

    @Test
    void renameOverFilesAndDirectoriesAndItsErrors() throws Exception {
        Map<String, String> m = checks.sameAsLocal("rename");
        assertEquals("ok", m.get("file_over_file"));
        assertEquals("A", m.get("victim_content"));
        assertEquals("EISDIR", m.get("file_over_dir"));
        assertEquals("ENOTDIR", m.get("dir_over_file"));
        assertEquals("ok", m.get("dir_over_empty_dir"));
        assertEquals("I", m.get("moved_dir_content"));
        assertEquals("ENOTEMPTY", m.get("dir_over_nonempty_dir"));
        assertEquals("True", m.get("src_still_there"));
        assertEquals("EINVAL", m.get("dir_into_own_subdir"));
        assertEquals("ok", m.get("dir_into_other_dir"));
        assertEquals("1", m.get("target_nlink_delta"), "the new parent gains the moved directory's ..");
        assertEquals("True", m.get("dotdot_is_new_parent"));
        assertEquals("2", m.get("hardlink_nlink_before"));
        assertEquals("1", m.get("hardlink_other_name_nlink"), "rename over a hard link: the other name's nlink at once");
        assertEquals("changed", m.get("hardlink_other_name_ctime"), "and its ctime");
        assertEquals("other", m.get("hardlink_h2_content"));
        assertEquals("1", m.get("brick_copies_of_y"), "the victim's data is gone from every brick");
        assertEquals("X", m.get("brick_y_content"));
    }

    @Test
    void unlinkedFileStaysUsableThroughOpenDescriptors() throws Exception {
        Map<String, String> m = checks.sameAsLocal("unlinked_open");
        assertEquals("False", m.get("listed"));
        assertEquals("0", m.get("fstat_nlink"));
        assertEquals("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", m.get("read_fd2"), "a write through one fd, read through another");
        assertEquals("01234", m.get("read_fd2_after_first_close"));
        assertEquals("0o600", m.get("fstat_mode_fd2"));
        assertEquals("new", m.get("new_file"));
        assertEquals("old victim", m.get("victim_fd_reads"), "a rename over an open file leaves the fd on the old one");
        assertEquals("0", m.get("victim_fd_nlink"));
        assertEquals("winner", m.get("name_reads"));
        assertEquals("['doomed', 'victim']", m.get("listing"), "no .fuse_hidden names listed");
        assertEquals("1", m.get("brick_copies"));
    }

    @Test
    void openFlagsAndCreationModesUnderUmask() throws Exception {
        Map<String, String> m = checks.sameAsLocal("open_flags");
        assertEquals("EEXIST", m.get("excl_existing"));
        assertEquals("EEXIST", m.get("excl_symlink"));
        assertEquals("False", m.get("dangling_target_created"));
        assertEquals("0", m.get("trunc_size"));
        assertEquals("True", m.get("trunc_mtime_changed"));
        assertEquals("0o640", m.get("mode_u1"));
        assertEquals("0o750", m.get("mode_u2"));
        assertEquals("0o640", m.get("mode_u3"));
        assertEquals("0o777", m.get("mode_u4"));
        assertEquals("0o1777", m.get("mode_u5"));
        assertEquals("0o400", m.get("mode_u6"));
        assertEquals("ok:1", m.get("create_readonly_mode_fd_writable"));
        assertEquals("0o640", m.get("mode_u1_on_brick"));
    }

    @Test
    void concurrentAppendsFromTwoDescriptorsInterleaveWholeRecords() throws Exception {
        Map<String, String> m = checks.sameAsLocal("append");
        assertEquals("True", m.get("writers_ok"));
        assertEquals("38400", m.get("size"));
        assertEquals("600", m.get("intact_records"));
        assertEquals("600", m.get("distinct_records"));
        assertEquals("tail", m.get("pwrite_append_end"));
        assertEquals("38404", m.get("brick_size"));
    }

    @Test
    void sparseFilesAndFilesOverFourGibibytes() throws Exception {
        Map<String, String> m = checks.sameAsLocal("sparse_large");
        assertEquals(Long.toString(100L * 1024 * 1024 + 3), m.get("size"));
        assertEquals("True", m.get("blocks_small"));
        assertEquals("True", m.get("brick_blocks_small"));
        assertEquals(Long.toString(5 * GIB + 12), m.get("huge_size"));
        assertEquals("beyond 4 GiB", m.get("huge_read"));
        assertEquals("True", m.get("huge_read_at_4g"));
        assertEquals(Long.toString(4 * GIB + 1), m.get("huge_brick_size"));
    }

    @Test
    void utimensatWithNanosecondsNowAndOmit() throws Exception {
        Map<String, String> m = checks.sameAsLocal("times");
        assertEquals("1000000000123456789", m.get("atime_ns"));
        assertEquals("1100000000987654321", m.get("mtime_ns"));
        assertEquals("1100000000987654321", m.get("brick_mtime_ns"));
        assertEquals("True", m.get("omit_keeps_atime"));
        assertEquals("True", m.get("now_sets_mtime"));
        assertEquals("True", m.get("omit_keeps_mtime"));
        assertEquals("True", m.get("now_sets_atime"));
        assertEquals("10", m.get("symlink_mtime_ns"), "lutimes changes the link, not its target");
    }

    @Test
    void ctimeChangesOnEveryChange() throws Exception {
        Map<String, String> m = checks.sameAsLocal("ctime");
        for (String op : List.of("chmod", "chown", "write", "truncate", "link", "rename", "setxattr", "removexattr",
                "utime", "unlink_other_name", "fchmod", "pwrite", "ftruncate")) {
            assertEquals("changed", m.get("ctime_" + op), "ctime after " + op);
        }
        assertEquals("changed", m.get("dir_mtime_create"));
    }

    @Test
    void fifosSocketsAndDeviceNodes() throws Exception {
        Map<String, String> m = checks.sameAsLocal("special");
        assertEquals("through the fifo", m.get("fifo_data"));
        assertEquals("True", m.get("sock_type"));
        assertEquals("hello", m.get("socket_data"));
        assertEquals("1,3", m.get("chr_rdev"));
        assertEquals("7,200", m.get("blk_rdev"));
        assertEquals("EPERM", m.get("nonroot_mknod_chr"));
        assertEquals("True", m.get("brick_chr"));
    }

    @Test
    void longSymlinksAndNameLengthLimits() throws Exception {
        Map<String, String> m = checks.sameAsLocal("names");
        assertEquals("ok", m.get("symlink_4095"));
        assertEquals("True", m.get("readlink_4095_same"));
        assertEquals("4095", m.get("symlink_lstat_size"));
        assertEquals("ENAMETOOLONG", m.get("symlink_4096"));
        assertEquals("ok", m.get("name_255_create"));
        assertEquals("255", m.get("name_255_read"));
        assertEquals("ENAMETOOLONG", m.get("name_256_create"));
        assertEquals("ENAMETOOLONG", m.get("name_256_mkdir"));
        assertEquals("ENAMETOOLONG", m.get("rename_to_256"));
        assertEquals("255", m.get("statvfs_namemax"));
    }

    @Test
    void relativePathsOf4095BytesFromDeepInsideTheVolume() throws Exception {
        Map<String, String> m = checks.sameAsLocal("long_paths");
        assertEquals("4095", m.get("rel_len"));
        assertEquals("True", m.get("volume_path_over_4096"));
        assertEquals("ok", m.get("mkdir_4095"));
        assertEquals("ok", m.get("create_4095"));
        assertEquals("ok:deep", m.get("read_4095"));
        assertEquals("ok", m.get("rename_4095"));
        assertEquals("ok", m.get("setxattr_4095"));
        assertEquals("ok", m.get("unlink_4095"));
        assertEquals("ENAMETOOLONG", m.get("rel_4096"));
        assertEquals("True", m.get("removed"));
    }

    @Test
    void extendedAttributesNamespacesFlagsAndLimits() throws Exception {
        Map<String, String> m = checks.sameAsLocal("xattrs");
        assertEquals("ok:v-user", m.get("user_get"));
        assertEquals("ok:v-trusted", m.get("trusted_get"));
        assertEquals("ok:v-security", m.get("security_get"));
        assertEquals("['security.k', 'trusted.k', 'user.k']", m.get("list"), "no brick-internal names listed");
        assertEquals("EEXIST", m.get("create_existing"));
        assertEquals("ENODATA", m.get("replace_missing"));
        assertEquals("replaced", m.get("value_after_replace"));
        assertEquals("ENODATA", m.get("remove_missing"));
        assertEquals("True", m.get("value_4000_back"));
        assertEquals("E2BIG", m.get("value_64k_plus_1"));
        assertEquals("ERANGE", m.get("getxattr_small_buffer"));
        assertEquals("ERANGE", m.get("listxattr_small_buffer"));
        assertEquals("True", m.get("listxattr_size_matches"));
        assertEquals("EPERM", m.get("nonroot_trusted_set"));
        assertEquals("ok:[]", m.get("nonroot_trusted_list"));
        assertEquals("True", m.get("brick_user_big"));
    }

    @Test
    void fallocateModesAndSeekDataHole() throws Exception {
        Map<String, String> m = checks.sameAsLocal("fallocate");
        assertEquals(Integer.toString(1 << 20), m.get("default_size"));
        assertEquals(Integer.toString(1 << 20), m.get("keep_size_size"));
        assertEquals("True", m.get("keep_size_blocks"));
        assertEquals("True", m.get("punch_reads_zero"));
        assertEquals("True", m.get("punch_keeps_rest"));
        assertEquals("True", m.get("zero_range_reads_zero"));
        assertEquals("True", m.get("zero_range_keeps_after"));
        assertEquals("True", m.get("brick_zero_range_zero"), "ZERO_RANGE really zeroes the brick's bytes");
        assertEquals("True", m.get("brick_punch_zero"));
        assertEquals("ok:1048576", m.get("seek_data_0"));
        assertEquals("ok:1052672", m.get("seek_hole_in_data"));
        assertEquals("ENXIO", m.get("seek_data_past_end"));
    }

    @Test
    void fsyncAndFdatasyncReachTheBricksDisk() throws Exception {
        Map<String, String> m = checks.onMount("fsync");
        assertEquals("True", m.get("brick_found"));
        assertEquals("first second", m.get("brick_content_after_fsync"));
        assertEquals("first second third", m.get("brick_content_after_fdatasync"));
        assertEquals("True", m.get("brick_fsync_on_file"), "strace saw the brick fsync the file's own fd: " + m);
        assertEquals("True", m.get("brick_fdatasync_on_file"), "strace saw the brick fdatasync the file's own fd: " + m);
    }

    @Test
    void mmapWritesAndReads() throws Exception {
        Map<String, String> m = checks.sameAsLocal("mmap");
        assertEquals("helloworld", m.get("read_after_msync"));
        assertEquals("world", m.get("read_other_fd"));
        assertEquals("helloworld", m.get("brick_after_msync"));
        assertEquals("True", m.get("mmap_read_matches"));
        assertEquals("True", m.get("private_not_written"));
        assertEquals("late", m.get("brick_after_fsync_no_msync"));
    }
}
