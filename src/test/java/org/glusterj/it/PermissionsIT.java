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
 * Permissions through a real mount of a 2-brick volume with the default client stack, for
 * non-root callers with their own uid, gid and supplementary groups (children of the check script
 * drop to them), each outcome compared with a local directory. The mount has default_permissions,
 * so the kernel checks modes from the attributes we report; what the bricks record for the
 * caller (owners, set-group-id inheritance) is checked on the bricks.
 */
class PermissionsIT {
    private static Cluster cluster;
    private static PosixChecks checks;

    @BeforeAll
    static void mount() throws Exception {
        cluster = new Cluster("permissions-it");
        BrickProcess b1 = cluster.startBrick("b1");
        BrickProcess b2 = cluster.startBrick("b2");
        Path mnt = cluster.mount("mnt").mountpoint;
        checks = new PosixChecks(mnt, List.of(b1.dir, b2.dir), cluster.root.resolve("local"), cluster.root.resolve("logs"));
    }

    @AfterAll
    static void unmount() throws Exception {
        if (cluster == null) return;
        cluster.close();
        assertFalse(FuseMount.isMounted(cluster.root.resolve("mnt")), "mount left behind");
    }

    @Test
    void modeBitsAndAccessForOwnerGroupSupplementaryGroupsAndOthers() throws Exception {
        Map<String, String> m = checks.sameAsLocal("modes");
        assertEquals("ok", m.get("owner_write"));
        assertEquals("ok", m.get("group_read"));
        assertEquals("EACCES", m.get("group_write"));
        assertEquals("ok", m.get("supplementary_read"), "a supplementary group grants the group's bits");
        assertEquals("EACCES", m.get("other_read"));
        assertEquals("EACCES", m.get("owner_denied_though_group_may"));
        assertEquals("secreto", m.get("content"), "only the owner's write landed");
        assertEquals("EACCES", m.get("dir_search_other"));
        assertEquals("EACCES", m.get("dir_create_group"));
        assertEquals("EACCES", m.get("dir_unlink_group"));
        assertEquals("1005:5000", m.get("new_file_owner_on_brick"), "the brick records the caller as owner");
        assertEquals("2001", m.get("setgid_dir_file_gid"));
        assertEquals("0o2755", m.get("setgid_dir_subdir_mode"));
        assertEquals("ok:True", m.get("access_owner_rw"));
        assertEquals("ok:False", m.get("access_group_w"));
        assertEquals("ok:True", m.get("access_suppl_r"));
        assertEquals("ok:False", m.get("access_other_r"));
        assertEquals("ok:False", m.get("access_x_no_bits"));
        assertEquals("False", m.get("access_root_x_no_bits"), "root may execute only what someone may");
    }

    @Test
    void stickyDirectoriesProtectOthersFiles() throws Exception {
        Map<String, String> m = checks.sameAsLocal("sticky");
        assertEquals("EPERM", m.get("other_unlink"));
        assertEquals("EPERM", m.get("other_rename_away"));
        assertEquals("EPERM", m.get("other_rename_over"));
        assertEquals("1001's", m.get("still_there"));
        assertEquals("ok", m.get("owner_rename"));
        assertEquals("ok", m.get("dir_owner_unlink"));
    }

    @Test
    void setIdBitsClearedOnWriteTruncateAndChgrp() throws Exception {
        Map<String, String> m = checks.sameAsLocal("setid");
        assertEquals("0o6755", m.get("mode_before"));
        assertEquals("0o755", m.get("mode_after_write"));
        assertEquals("0o755", m.get("mode_after_write_on_brick"));
        assertEquals("0o2644", m.get("mode_nogx_after_write"), "setgid without group execute stays");
        assertEquals("0o755", m.get("mode_after_chgrp"));
        assertEquals("0o755", m.get("mode_after_truncate"));
        assertEquals("ok", m.get("cap_set"));
        assertEquals("ok:True", m.get("cap_kept"));
        assertEquals("ENODATA", m.get("cap_after_root_write"));
        assertEquals("ENODATA", m.get("cap_after_user_write"));
        assertEquals("ENODATA", m.get("cap_after_truncate"));
    }

    @Test
    void chownAndChgrpRules() throws Exception {
        Map<String, String> m = checks.sameAsLocal("chown");
        assertEquals("EPERM", m.get("give_away"));
        assertEquals("ok", m.get("chgrp_member"));
        assertEquals("EPERM", m.get("chgrp_not_member"));
        assertEquals("EPERM", m.get("chgrp_not_owner"));
        assertEquals("EPERM", m.get("chmod_not_owner"));
        assertEquals("1001:2001", m.get("owner_after"), "chgrp to 2002, then back to the primary group");
        assertEquals("1234:5678", m.get("owner_on_brick"));
        assertEquals("0o755", m.get("mode_after_setgid_nonmember"));
        assertEquals("ok", m.get("utime_now_writer"));
        assertEquals("EPERM", m.get("utime_set_not_owner"));
    }
}
