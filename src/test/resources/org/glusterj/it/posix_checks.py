#!/usr/bin/env python3
"""POSIX checks run alike on a glusterj mount and on a local directory.

Usage: posix_checks.py CHECK DIR [BRICK_DIR...]

Runs one named check in DIR (a fresh subdirectory is made for it) and prints one "key=value" line
per observed outcome: errnos by name ("ok" for success), stat fields, booleans. The Java ITs run
the same check on a local ext4 directory and on the mount, and compare the two outputs, then assert
specific values. BRICK_DIRs are where the check looks for the file's bytes on disk (for a local
run, DIR itself). Runs as root; permission checks fork children that drop to other uids.
"""
import ctypes
import ctypes.util
import errno
import mmap
import os
import shutil
import socket
import stat
import struct
import sys
import time

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
libc.lseek.argtypes = [ctypes.c_int, ctypes.c_long, ctypes.c_int]
libc.lseek.restype = ctypes.c_long

UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
AT_FDCWD = -100
FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE = 1, 2, 0x10
SEEK_DATA, SEEK_HOLE = 3, 4
MiB = 1 << 20
GiB = 1 << 30

out = {}


def put(key, value):
    out[key] = value


def outcome(fn, *args, **kw):
    """'ok' (or 'ok:' + the result when it is a str/int) or the errno's name."""
    try:
        r = fn(*args, **kw)
        return "ok" if r is None else "ok:" + str(r)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def as_user(uid, gid, groups, fn):
    """Runs fn() in a child with the given credentials; returns its outcome string."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setgroups(groups)
            os.setgid(gid)
            os.setuid(uid)
            res = outcome(fn)
        except BaseException as e:  # noqa: report anything unexpected as text
            res = "exception:" + repr(e)
        os.write(w, res.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return data.decode()


def write_file(path, data=b"x", mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def append_to(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def on_brick(bricks, rel):
    """The path of rel on whichever brick holds it as a regular file (data lives on one brick)."""
    for b in bricks:
        p = os.path.join(b, rel)
        if os.path.isfile(p) and not is_linkto(p):
            return p
    return None


def is_linkto(path):
    """A DHT pointer to the brick that holds the data: mode exactly sticky, with a linkto xattr."""
    if stat.S_IMODE(os.lstat(path).st_mode) != 0o1000:
        return False
    return any(n.endswith(".linkto") for n in os.listxattr(path, follow_symlinks=False))


def mode_of(path):
    return oct(stat.S_IMODE(os.lstat(path).st_mode))


# ---- permissions ----

def check_modes(d, bricks):
    f = os.path.join(d, "f")
    write_file(f, b"secret")
    os.chown(f, 1001, 2001)
    os.chmod(f, 0o640)
    os.chmod(d, 0o755)
    put("owner_read", as_user(1001, 1001, [], lambda: read_file(f) and None))
    put("owner_write", as_user(1001, 1001, [], lambda: append_to(f, b"o")))
    put("group_read", as_user(1002, 2001, [], lambda: read_file(f) and None))
    put("group_write", as_user(1002, 2001, [], lambda: append_to(f, b"g")))
    put("supplementary_read", as_user(1003, 3000, [3000, 2001], lambda: read_file(f) and None))
    put("supplementary_write", as_user(1003, 3000, [3000, 2001], lambda: append_to(f, b"s")))
    put("other_read", as_user(1004, 4000, [], lambda: read_file(f) and None))
    # The owner's bits apply even when the group's would allow more.
    os.chmod(f, 0o070)
    put("owner_denied_though_group_may", as_user(1001, 2001, [], lambda: read_file(f) and None))
    os.chmod(f, 0o640)
    put("content", read_file(f).decode())
    put("access_owner_rw", as_user(1001, 1001, [], lambda: os.access(f, os.R_OK | os.W_OK)))
    put("access_group_w", as_user(1002, 2001, [], lambda: os.access(f, os.W_OK)))
    put("access_suppl_r", as_user(1003, 3000, [2001], lambda: os.access(f, os.R_OK)))
    put("access_other_r", as_user(1004, 4000, [], lambda: os.access(f, os.R_OK)))
    put("access_x_no_bits", as_user(1001, 1001, [], lambda: os.access(f, os.X_OK)))
    put("access_root_x_no_bits", str(os.access(f, os.X_OK)))
    put("access_root_w", str(os.access(f, os.W_OK)))
    # Directories: search (x) and write (w) bits.
    sub = os.path.join(d, "private")
    os.mkdir(sub)
    write_file(os.path.join(sub, "inner"), b"in")
    os.chown(sub, 1001, 2001)
    os.chmod(sub, 0o750)
    inner = os.path.join(sub, "inner")
    put("dir_search_other", as_user(1004, 4000, [], lambda: os.stat(inner) and None))
    put("dir_search_group", as_user(1002, 2001, [], lambda: os.stat(inner) and None))
    put("dir_list_other", as_user(1004, 4000, [], lambda: os.listdir(sub) and None))
    put("dir_create_group", as_user(1002, 2001, [], lambda: write_file(os.path.join(sub, "g"))))
    put("dir_create_owner", as_user(1001, 2001, [], lambda: write_file(os.path.join(sub, "o"))))
    put("dir_unlink_group", as_user(1002, 2001, [], lambda: os.unlink(inner)))
    put("created_owner", "%d:%d" % (os.stat(os.path.join(sub, "o")).st_uid, os.stat(os.path.join(sub, "o")).st_gid))
    # Who owns what a non-root user creates, on the brick as well.
    os.chmod(sub, 0o777)
    as_user(1005, 5000, [5001], lambda: os.mkdir(os.path.join(sub, "made")))
    as_user(1005, 5000, [5001], lambda: write_file(os.path.join(sub, "made", "file")))
    st = os.stat(os.path.join(sub, "made", "file"))
    put("new_file_owner", "%d:%d" % (st.st_uid, st.st_gid))
    bp = on_brick(bricks, os.path.relpath(os.path.join(sub, "made", "file"), d_root))
    bst = os.stat(bp)
    put("new_file_owner_on_brick", "%d:%d" % (bst.st_uid, bst.st_gid))
    # A set-group-id directory hands its group to new entries, and its bit to new directories.
    sg = os.path.join(d, "setgid")
    os.mkdir(sg)
    os.chown(sg, 1001, 2001)
    os.chmod(sg, 0o2777)
    as_user(1005, 5000, [], lambda: write_file(os.path.join(sg, "f")))
    as_user(1005, 5000, [], lambda: os.mkdir(os.path.join(sg, "d")))
    put("setgid_dir_file_gid", str(os.stat(os.path.join(sg, "f")).st_gid))
    put("setgid_dir_subdir_gid", str(os.stat(os.path.join(sg, "d")).st_gid))
    put("setgid_dir_subdir_mode", mode_of(os.path.join(sg, "d")))


def check_sticky(d, bricks):
    os.chmod(d, 0o1777)
    mine = os.path.join(d, "mine")
    as_user(1001, 1001, [], lambda: write_file(mine, b"1001's"))
    put("other_unlink", as_user(1002, 1002, [], lambda: os.unlink(mine)))
    put("other_rename_away", as_user(1002, 1002, [], lambda: os.rename(mine, os.path.join(d, "stolen"))))
    theirs = os.path.join(d, "theirs")
    as_user(1002, 1002, [], lambda: write_file(theirs, b"1002's"))
    put("other_rename_over", as_user(1002, 1002, [], lambda: os.rename(theirs, mine)))
    put("still_there", read_file(mine).decode())
    put("owner_rename", as_user(1001, 1001, [], lambda: os.rename(mine, os.path.join(d, "mine2"))))
    put("owner_unlink", as_user(1001, 1001, [], lambda: os.unlink(os.path.join(d, "mine2"))))
    put("root_unlink", outcome(os.unlink, theirs))
    # The directory's owner may remove anything in it.
    sub = os.path.join(d, "owned")
    os.mkdir(sub)
    os.chown(sub, 1003, 1003)
    os.chmod(sub, 0o1777)
    f = os.path.join(sub, "f")
    as_user(1001, 1001, [], lambda: write_file(f))
    put("dir_owner_unlink", as_user(1003, 1003, [], lambda: os.unlink(f)))


def check_setid(d, bricks):
    os.chmod(d, 0o777)
    f = os.path.join(d, "prog")
    write_file(f, b"#!/bin/sh\n")
    os.chown(f, 1001, 2001)
    os.chmod(f, 0o6755)
    put("mode_before", mode_of(f))
    put("write", as_user(1001, 2001, [], lambda: append_to(f, b"echo\n")))
    put("mode_after_write", mode_of(f))
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("mode_after_write_on_brick", mode_of(bp))
    # setgid without group execute is not a set-group-id program: a write keeps it.
    g = os.path.join(d, "nogx")
    write_file(g, b"data")
    os.chown(g, 1001, 2001)
    os.chmod(g, 0o2644)
    as_user(1001, 2001, [], lambda: append_to(g, b"more"))
    put("mode_nogx_after_write", mode_of(g))
    # chown by non-root (to the owner's own group) clears both bits.
    h = os.path.join(d, "prog2")
    write_file(h, b"#!/bin/sh\n")
    os.chown(h, 1001, 2001)
    os.chmod(h, 0o6755)
    put("chgrp", as_user(1001, 2001, [2001, 2002], lambda: os.chown(h, -1, 2002)))
    put("mode_after_chgrp", mode_of(h))
    put("gid_after_chgrp", str(os.stat(h).st_gid))
    # root writing keeps nothing special either: Linux clears setuid on any write.
    k = os.path.join(d, "prog3")
    write_file(k, b"#!/bin/sh\n")
    os.chmod(k, 0o4755)
    append_to(k, b"x")
    put("mode_after_root_write", mode_of(k))
    # truncate by the owner clears them too.
    t = os.path.join(d, "prog4")
    write_file(t, b"#!/bin/sh\n")
    os.chown(t, 1001, 2001)
    os.chmod(t, 0o6755)
    put("truncate", as_user(1001, 2001, [], lambda: os.truncate(t, 2)))
    put("mode_after_truncate", mode_of(t))
    # A file capability goes with any change of the data, whoever writes (even root).
    cap = os.path.join(d, "capprog")
    write_file(cap, b"#!/bin/sh\n")
    os.chmod(cap, 0o777)
    raw = struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0)  # VFS_CAP_REVISION_2, effective cap_net_raw
    put("cap_set", outcome(os.setxattr, cap, "security.capability", raw))
    put("cap_kept", outcome(lambda: str(os.getxattr(cap, "security.capability") == raw)))
    append_to(cap, b"x")
    put("cap_after_root_write", outcome(os.getxattr, cap, "security.capability"))
    os.setxattr(cap, "security.capability", raw)
    put("cap_user_write", as_user(1001, 2001, [], lambda: append_to(cap, b"y")))
    put("cap_after_user_write", outcome(os.getxattr, cap, "security.capability"))
    os.setxattr(cap, "security.capability", raw)
    os.truncate(cap, 1)
    put("cap_after_truncate", outcome(os.getxattr, cap, "security.capability"))


def check_chown(d, bricks):
    os.chmod(d, 0o777)
    f = os.path.join(d, "f")
    write_file(f)
    os.chown(f, 1001, 2001)
    put("give_away", as_user(1001, 2001, [2001, 2002], lambda: os.chown(f, 1002, -1)))
    put("chown_to_self", as_user(1001, 2001, [2001, 2002], lambda: os.chown(f, 1001, -1)))
    put("chgrp_member", as_user(1001, 2001, [2001, 2002], lambda: os.chown(f, -1, 2002)))
    put("chgrp_primary", as_user(1001, 2001, [], lambda: os.chown(f, -1, 2001)))
    put("chgrp_not_member", as_user(1001, 2001, [2001, 2002], lambda: os.chown(f, -1, 3000)))
    put("chgrp_not_owner", as_user(1002, 2001, [2001, 2002], lambda: os.chown(f, -1, 2002)))
    put("chmod_not_owner", as_user(1002, 2001, [2001], lambda: os.chmod(f, 0o777)))
    put("owner_after", "%d:%d" % (os.stat(f).st_uid, os.stat(f).st_gid))
    put("root_chown", outcome(os.chown, f, 1234, 5678))
    put("owner_after_root", "%d:%d" % (os.stat(f).st_uid, os.stat(f).st_gid))
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("owner_on_brick", "%d:%d" % (os.stat(bp).st_uid, os.stat(bp).st_gid))
    # chmod g+s by a non-member owner: the kernel silently drops the set-group-id bit.
    os.chown(f, 1001, 2001)
    put("chmod_setgid_nonmember", as_user(1001, 1001, [], lambda: os.chmod(f, 0o2755)))
    put("mode_after_setgid_nonmember", mode_of(f))
    # utimes to "now" needs write access; to a given time needs ownership.
    os.chmod(f, 0o666)
    put("utime_now_writer", as_user(1002, 1002, [], lambda: os.utime(f, None)))
    put("utime_set_not_owner", as_user(1002, 1002, [], lambda: os.utime(f, (1, 1))))


# ---- namespace ----

def check_rename(d, bricks):
    j = lambda *p: os.path.join(d, *p)  # noqa: E731
    write_file(j("a"), b"A")
    write_file(j("b"), b"B")
    put("file_over_file", outcome(os.rename, j("a"), j("b")))
    put("victim_content", read_file(j("b")).decode())
    put("old_name_exists", str(os.path.lexists(j("a"))))
    os.mkdir(j("empty"))
    put("file_over_dir", outcome(os.rename, j("b"), j("empty")))
    os.mkdir(j("dir"))
    write_file(j("dir", "inner"), b"I")
    put("dir_over_file", outcome(os.rename, j("dir"), j("b")))
    put("dir_over_empty_dir", outcome(os.rename, j("dir"), j("empty")))
    put("moved_dir_content", read_file(j("empty", "inner")).decode())
    put("moved_dir_old_exists", str(os.path.lexists(j("dir"))))
    os.mkdir(j("full"))
    for i in range(8):  # enough names that both bricks of a 2-brick volume hold some
        write_file(j("full", "n%d" % i), b"n")
    os.mkdir(j("src"))
    put("dir_over_nonempty_dir", outcome(os.rename, j("src"), j("full")))
    put("nonempty_victim_intact", str(sorted(os.listdir(j("full")))))
    put("src_still_there", str(os.path.isdir(j("src"))))
    os.makedirs(j("p", "q", "r"))
    put("dir_into_own_subdir", outcome(os.rename, j("p"), j("p", "q", "r", "p")))
    put("dir_onto_itself", outcome(os.rename, j("p"), j("p")))
    os.mkdir(j("target"))
    nlink_before = os.stat(j("target")).st_nlink
    put("dir_into_other_dir", outcome(os.rename, j("p"), j("target", "p")))
    put("moved_tree", str(os.path.isdir(j("target", "p", "q", "r"))))
    put("target_nlink_delta", str(os.stat(j("target")).st_nlink - nlink_before))
    put("dotdot_is_new_parent", str(os.stat(j("target", "p", "..")).st_ino == os.stat(j("target")).st_ino))
    put("trailing_slash_on_file", outcome(os.rename, j("b"), j("c") + "/"))
    put("missing_source", outcome(os.rename, j("nope"), j("c")))
    put("file_over_file_in_other_dir", outcome(os.rename, j("b"), j("target", "b")))
    put("dir_listing", str(sorted(os.listdir(d))))
    # Rename over one name of a hard link: the other name shows nlink and ctime change at once.
    write_file(j("h1"), b"H")
    os.link(j("h1"), j("h2"))
    write_file(j("h3"), b"other")
    os.chmod(j("h1"), 0o640)
    st = os.stat(j("h1"))
    put("hardlink_nlink_before", str(st.st_nlink))
    time.sleep(0.02)
    os.rename(j("h3"), j("h2"))
    st2 = os.stat(j("h1"))
    put("hardlink_other_name_nlink", str(st2.st_nlink))
    put("hardlink_other_name_ctime", "changed" if st2.st_ctime_ns > st.st_ctime_ns else "same")
    put("hardlink_h2_content", read_file(j("h2")).decode())
    # The victim of a rename over it is gone on every brick too.
    write_file(j("x"), b"X")
    write_file(j("y"), b"Y")
    os.rename(j("x"), j("y"))
    rel = os.path.relpath(j("y"), d_root)
    put("brick_copies_of_y", str(sum(1 for b in bricks if os.path.isfile(os.path.join(b, rel))
                                     and not is_linkto(os.path.join(b, rel)))))
    put("brick_y_content", read_file(on_brick(bricks, rel)).decode())
    put("brick_x_left", str(any(os.path.lexists(os.path.join(b, os.path.relpath(j("x"), d_root))) for b in bricks)))


def check_unlinked_open(d, bricks):
    f = os.path.join(d, "doomed")
    write_file(f, b"0123456789")
    fd1 = os.open(f, os.O_RDWR)
    fd2 = os.open(f, os.O_RDONLY)
    os.unlink(f)
    put("exists_after_unlink", str(os.path.lexists(f)))
    put("listed", str("doomed" in os.listdir(d)))
    put("fstat_nlink", str(os.fstat(fd1).st_nlink))
    put("pwrite", outcome(os.pwrite, fd1, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10))
    put("read_fd2", os.pread(fd2, 100, 0).decode())
    put("fstat_size_fd2", str(os.fstat(fd2).st_size))
    os.ftruncate(fd1, 5)
    put("after_ftruncate", os.pread(fd2, 100, 0).decode())
    os.close(fd1)
    put("read_fd2_after_first_close", os.pread(fd2, 100, 0).decode())
    put("fstat_nlink_fd2", str(os.fstat(fd2).st_nlink))
    put("fchmod", outcome(os.fchmod, fd2, 0o600))
    put("fstat_mode_fd2", oct(stat.S_IMODE(os.fstat(fd2).st_mode)))
    os.close(fd2)
    # A new file at the same name is a different file.
    write_file(f, b"new")
    put("new_file", read_file(f).decode())
    # A file renamed over an open one: the open fd keeps the old file.
    v = os.path.join(d, "victim")
    write_file(v, b"old victim")
    write_file(os.path.join(d, "winner"), b"winner")
    fd = os.open(v, os.O_RDWR)
    os.rename(os.path.join(d, "winner"), v)
    put("victim_fd_reads", os.pread(fd, 100, 0).decode())
    put("victim_fd_nlink", str(os.fstat(fd).st_nlink))
    put("victim_fd_write", outcome(os.pwrite, fd, b"OLD", 0))
    put("name_reads", read_file(v).decode())
    os.close(fd)
    put("listing", str(sorted(os.listdir(d))))
    rel = os.path.relpath(f, d_root)
    put("brick_copies", str(sum(1 for b in bricks if os.path.isfile(os.path.join(b, rel))
                               and not is_linkto(os.path.join(b, rel)))))


# ---- files ----

def check_open_flags(d, bricks):
    f = os.path.join(d, "f")
    write_file(f, b"existing")
    put("excl_existing", outcome(os.open, f, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    fd = os.open(os.path.join(d, "new"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.close(fd)
    put("excl_new", "ok")
    put("excl_symlink", outcome(lambda: os.symlink("dangling", os.path.join(d, "sl")) or
                                os.open(os.path.join(d, "sl"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)))
    put("dangling_target_created", str(os.path.lexists(os.path.join(d, "dangling"))))
    mtime_before = os.stat(f).st_mtime_ns
    time.sleep(0.02)
    fd = os.open(f, os.O_WRONLY | os.O_TRUNC)
    os.close(fd)
    put("trunc_size", str(os.stat(f).st_size))
    put("trunc_mtime_changed", str(os.stat(f).st_mtime_ns > mtime_before))
    put("trunc_readonly", outcome(lambda: os.close(os.open(f, os.O_RDONLY | os.O_TRUNC))))
    old = os.umask(0o027)
    try:
        fd = os.open(os.path.join(d, "u1"), os.O_CREAT | os.O_WRONLY, 0o666)
        os.close(fd)
        os.mkdir(os.path.join(d, "u2"), 0o777)
        os.mkfifo(os.path.join(d, "u3"), 0o666)
        os.umask(0)
        fd = os.open(os.path.join(d, "u4"), os.O_CREAT | os.O_WRONLY, 0o777)
        os.close(fd)
        os.mkdir(os.path.join(d, "u5"), 0o1777)
        os.umask(0o077)
        fd = os.open(os.path.join(d, "u6"), os.O_CREAT | os.O_RDWR, 0o444)
        put("create_readonly_mode_fd_writable", outcome(os.write, fd, b"w"))
        os.close(fd)
    finally:
        os.umask(old)
    for n in ("u1", "u2", "u3", "u4", "u5", "u6"):
        put("mode_" + n, mode_of(os.path.join(d, n)))
    bp = on_brick(bricks, os.path.relpath(os.path.join(d, "u1"), d_root))
    put("mode_u1_on_brick", mode_of(bp))
    put("creat_dir", outcome(os.open, os.path.join(d, "u2"), os.O_CREAT | os.O_WRONLY, 0o644))
    put("open_dir_wr", outcome(os.open, os.path.join(d, "u2"), os.O_WRONLY))
    put("o_directory_on_file", outcome(os.open, f, os.O_RDONLY | os.O_DIRECTORY))
    put("o_nofollow_symlink", outcome(os.open, os.path.join(d, "sl"), os.O_RDONLY | os.O_NOFOLLOW))


def check_append(d, bricks):
    f = os.path.join(d, "log")
    write_file(f, b"")
    records, size = 300, 64
    pids = []
    for who in (b"A", b"B"):
        pid = os.fork()
        if pid == 0:
            try:
                fd = os.open(f, os.O_WRONLY | os.O_APPEND)
                for i in range(records):
                    rec = (who + b"%05d" % i).ljust(size - 1, who) + b"\n"
                    os.write(fd, rec)
                os.close(fd)
                os._exit(0)
            except BaseException:
                os._exit(1)
        pids.append(pid)
    codes = [os.waitpid(p, 0)[1] for p in pids]
    put("writers_ok", str(codes == [0, 0]))
    data = read_file(f)
    put("size", str(len(data)))
    lines = data.split(b"\n")[:-1]
    good = [l for l in lines if len(l) == size - 1 and l[:1] in (b"A", b"B")
            and l[6:] == l[:1] * (size - 7)]
    put("intact_records", str(len(good)))
    put("distinct_records", str(len(set(good))))
    # pwrite on an O_APPEND fd appends on Linux, whatever the offset.
    fd = os.open(f, os.O_WRONLY | os.O_APPEND)
    os.pwrite(fd, b"tail", 0)
    os.close(fd)
    put("pwrite_append_size", str(os.stat(f).st_size))
    put("pwrite_append_end", read_file(f)[-4:].decode())
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("brick_size", str(os.stat(bp).st_size))


def check_sparse_large(d, bricks):
    f = os.path.join(d, "sparse")
    fd = os.open(f, os.O_CREAT | os.O_RDWR, 0o644)
    os.pwrite(fd, b"end", 100 * MiB)
    os.fsync(fd)
    st = os.fstat(fd)
    put("size", str(st.st_size))
    put("blocks_small", str(st.st_blocks < 1024))
    put("hole_reads_zero", str(os.pread(fd, 4096, 50 * MiB) == bytes(4096)))
    os.close(fd)
    put("stat_blocks_small", str(os.stat(f).st_blocks < 1024))
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("brick_blocks_small", str(os.stat(bp).st_blocks < 1024))
    g = os.path.join(d, "huge")
    fd = os.open(g, os.O_CREAT | os.O_RDWR, 0o644)
    off = 5 * GiB
    os.pwrite(fd, b"beyond 4 GiB", off)
    put("huge_fstat_size", str(os.fstat(fd).st_size))
    os.close(fd)
    put("huge_size", str(os.stat(g).st_size))
    fd = os.open(g, os.O_RDONLY)
    put("huge_read", os.pread(fd, 100, off).decode())
    put("huge_read_at_4g", str(os.pread(fd, 16, 4 * GiB) == bytes(16)))
    put("huge_read_past_end", str(len(os.pread(fd, 16, off + 100))))
    os.close(fd)
    os.truncate(g, 4 * GiB + 1)
    put("huge_truncated_size", str(os.stat(g).st_size))
    bp = on_brick(bricks, os.path.relpath(g, d_root))
    put("huge_brick_size", str(os.stat(bp).st_size))
    os.unlink(g)


def utimensat(path, times):
    ts = (ctypes.c_long * 4)(*[v for pair in times for v in pair])
    if libc.utimensat(AT_FDCWD, os.fsencode(path), ts, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def check_times(d, bricks):
    f = os.path.join(d, "t")
    write_file(f)
    os.utime(f, ns=(1000000000123456789, 1100000000987654321))
    st = os.stat(f)
    put("atime_ns", str(st.st_atime_ns))
    put("mtime_ns", str(st.st_mtime_ns))
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("brick_mtime_ns", str(os.stat(bp).st_mtime_ns))
    before = time.time_ns()
    utimensat(f, [(0, UTIME_OMIT), (0, UTIME_NOW)])
    st = os.stat(f)
    put("omit_keeps_atime", str(st.st_atime_ns == 1000000000123456789))
    put("now_sets_mtime", str(abs(st.st_mtime_ns - before) < 5 * 10**9))
    utimensat(f, [(0, UTIME_NOW), (12345, UTIME_OMIT)])
    st2 = os.stat(f)
    put("omit_keeps_mtime", str(st2.st_mtime_ns == st.st_mtime_ns))
    put("now_sets_atime", str(abs(st2.st_atime_ns - before) < 5 * 10**9))
    utimensat(f, [(0, UTIME_OMIT), (0, UTIME_OMIT)])
    put("both_omit_mtime_same", str(os.stat(f).st_mtime_ns == st2.st_mtime_ns))
    os.utime(f, ns=(-1000000000, 0))
    put("negative_atime_ns", str(os.stat(f).st_atime_ns))
    os.utime(f, ns=(5, 2**33 * 10**9 + 1))
    put("mtime_after_2242_ns", str(os.stat(f).st_mtime_ns))
    os.utime(os.path.join(d), ns=(7, 8))
    put("dir_mtime_ns", str(os.stat(d).st_mtime_ns))
    os.symlink("t", os.path.join(d, "sl"))
    os.utime(os.path.join(d, "sl"), ns=(9, 10), follow_symlinks=False)
    put("symlink_mtime_ns", str(os.lstat(os.path.join(d, "sl")).st_mtime_ns))
    put("symlink_target_mtime_ns", str(os.stat(f).st_mtime_ns))


def check_ctime(d, bricks):
    f = os.path.join(d, "c")
    write_file(f, b"data")
    steps = [
        ("chmod", lambda: os.chmod(f, 0o600)),
        ("chown", lambda: os.chown(f, 1001, 1001)),
        ("write", lambda: append_to(f, b"more")),
        ("truncate", lambda: os.truncate(f, 2)),
        ("link", lambda: os.link(f, f + ".link")),
        ("rename", lambda: os.rename(f, f + ".2")),
        ("setxattr", lambda: os.setxattr(f + ".2", "user.k", b"v")),
        ("removexattr", lambda: os.removexattr(f + ".2", "user.k")),
        ("utime", lambda: os.utime(f + ".2", (1, 1))),
        ("unlink_other_name", lambda: os.unlink(f + ".link")),
    ]
    path = f
    prev = os.stat(path).st_ctime_ns
    for name, op in steps:
        time.sleep(0.02)
        op()
        if name == "rename":
            path = f + ".2"
        now = os.stat(path).st_ctime_ns
        put("ctime_" + name, "changed" if now > prev else "same")
        prev = now
    # fd-based changes, seen through fstat on the same fd.
    fd = os.open(path, os.O_RDWR)
    for name, op in [("fchmod", lambda: os.fchmod(fd, 0o644)), ("pwrite", lambda: os.pwrite(fd, b"z", 0)),
                     ("ftruncate", lambda: os.ftruncate(fd, 1))]:
        time.sleep(0.02)
        op()
        now = os.fstat(fd).st_ctime_ns
        put("ctime_" + name, "changed" if now > prev else "same")
        prev = now
    os.close(fd)
    # A directory's ctime and mtime change when an entry is added or removed.
    dm, dc = os.stat(d).st_mtime_ns, os.stat(d).st_ctime_ns
    time.sleep(0.02)
    write_file(os.path.join(d, "new"))
    put("dir_mtime_create", "changed" if os.stat(d).st_mtime_ns > dm else "same")
    put("dir_ctime_create", "changed" if os.stat(d).st_ctime_ns > dc else "same")


# ---- special files and names ----

def check_special(d, bricks):
    j = lambda n: os.path.join(d, n)  # noqa: E731
    os.mkfifo(j("fifo"), 0o644)
    put("fifo_type", str(stat.S_ISFIFO(os.lstat(j("fifo")).st_mode)))
    pid = os.fork()
    if pid == 0:
        fd = os.open(j("fifo"), os.O_WRONLY)
        os.write(fd, b"through the fifo")
        os.close(fd)
        os._exit(0)
    fd = os.open(j("fifo"), os.O_RDONLY)
    put("fifo_data", os.read(fd, 100).decode())
    os.close(fd)
    os.waitpid(pid, 0)
    os.mknod(j("sock"), 0o600 | stat.S_IFSOCK)
    put("sock_type", str(stat.S_ISSOCK(os.lstat(j("sock")).st_mode)))
    # A unix socket bound on the mount works (the kernel serves it; the brick holds the node).
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    os.chdir(d)
    s.bind("bound.sock")
    s.listen(1)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect("bound.sock")
    a, _ = s.accept()
    c.sendall(b"hello")
    put("socket_data", a.recv(10).decode())
    for x in (a, c, s):
        x.close()
    put("bound_sock_type", str(stat.S_ISSOCK(os.lstat(j("bound.sock")).st_mode)))
    os.mknod(j("chr"), 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    st = os.lstat(j("chr"))
    put("chr_type", str(stat.S_ISCHR(st.st_mode)))
    put("chr_rdev", "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
    os.mknod(j("blk"), 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    st = os.lstat(j("blk"))
    put("blk_type", str(stat.S_ISBLK(st.st_mode)))
    put("blk_rdev", "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
    os.chmod(d, 0o777)
    put("nonroot_mknod_chr", as_user(1001, 1001, [], lambda: os.mknod(j("chr2"), 0o600 | stat.S_IFCHR, os.makedev(1, 3))))
    bp = os.path.relpath(j("chr"), d_root)
    put("brick_chr", str(any(os.path.lexists(os.path.join(b, bp)) and stat.S_ISCHR(os.lstat(os.path.join(b, bp)).st_mode) for b in bricks)))


def check_names(d, bricks):
    j = lambda n: os.path.join(d, n)  # noqa: E731
    target = "t" * 4095
    put("symlink_4095", outcome(os.symlink, target, j("sl")))
    put("readlink_4095_len", str(len(os.readlink(j("sl")))))
    put("readlink_4095_same", str(os.readlink(j("sl")) == target))
    put("symlink_lstat_size", str(os.lstat(j("sl")).st_size))
    put("symlink_4096", outcome(os.symlink, "t" * 4096, j("sl2")))
    put("symlink_multibyte", outcome(os.symlink, "é" * 2000, j("sl3")))
    put("readlink_multibyte_same", str(os.readlink(j("sl3")) == "é" * 2000))
    n255 = "n" * 255
    put("name_255_create", outcome(write_file, j(n255), b"255"))
    put("name_255_read", read_file(j(n255)).decode())
    put("name_255_listed", str(n255 in os.listdir(d)))
    put("name_255_mkdir", outcome(os.mkdir, j("d" * 255)))
    put("name_256_create", outcome(write_file, j("n" * 256)))
    put("name_256_stat", outcome(os.stat, j("n" * 256)))
    put("name_256_mkdir", outcome(os.mkdir, j("d" * 256)))
    put("name_255_multibyte", outcome(write_file, j("é" * 127 + "x"), b"m"))
    put("name_256_multibyte", outcome(write_file, j("é" * 128), b"m"))
    put("rename_to_256", outcome(os.rename, j(n255), j("r" * 256)))
    put("statvfs_namemax", str(os.statvfs(d).f_namemax))


def check_long_paths(d, bricks):
    # From a working directory 2 KiB deep in the volume, relative paths of 4095 bytes: the path
    # from the volume's root is then over 6 KiB, beyond PATH_MAX for any single call on a brick.
    comp = "c" * 255
    os.chdir(d)
    for _ in range(8):
        os.mkdir(comp)
        os.chdir(comp)
    # 15 directories of 255 bytes, each with its '/', then a 255-byte name: exactly 4095 bytes.
    prefix = "/".join(("r%d" % i).ljust(255, "r") for i in range(15)) + "/"
    os.makedirs(prefix)
    leaf = "f" * 255
    rel = prefix + leaf
    put("rel_len", str(len(rel)))
    put("volume_path_over_4096", str(8 * 256 + len(rel) > 4096))
    put("create_4095", outcome(write_file, rel, b"deep"))
    put("read_4095", outcome(lambda: read_file(rel).decode()))
    put("stat_4095", outcome(lambda: os.stat(rel).st_size))
    put("rename_4095", outcome(os.rename, rel, prefix + "g" * 255))
    put("symlink_4095_path", outcome(os.symlink, "target", prefix + "s" * 255))
    put("setxattr_4095", outcome(os.setxattr, prefix + "g" * 255, "user.deep", b"1"))
    put("mkdir_4095", outcome(os.mkdir, prefix + "m" * 255))
    put("unlink_4095", outcome(os.unlink, prefix + "g" * 255))
    # 4096 bytes with no name over 255: too long for any call.
    put("rel_4096", outcome(write_file, prefix + "h" * 254 + "/h", b"x"))
    put("deep_listing", str(sorted(os.listdir(prefix))))
    # Deeper than PATH_MAX: only fd-relative removal (shutil.rmtree's) can take it away again.
    os.chdir(d)
    shutil.rmtree(comp)
    put("removed", str(os.listdir(d) == []))
    os.chdir("/")


def check_xattrs(d, bricks):
    f = os.path.join(d, "x")
    write_file(f)
    for ns in ("user", "trusted", "security"):
        put(ns + "_set", outcome(os.setxattr, f, ns + ".k", b"v-" + ns.encode()))
        put(ns + "_get", outcome(lambda: os.getxattr(f, ns + ".k").decode()))
    put("list", str(sorted(os.listxattr(f))))
    put("create_existing", outcome(os.setxattr, f, "user.k", b"x", os.XATTR_CREATE))
    put("replace_missing", outcome(os.setxattr, f, "user.none", b"x", os.XATTR_REPLACE))
    put("replace_existing", outcome(os.setxattr, f, "user.k", b"replaced", os.XATTR_REPLACE))
    put("create_new", outcome(os.setxattr, f, "user.new", b"", os.XATTR_CREATE))
    put("get_empty", outcome(lambda: len(os.getxattr(f, "user.new"))))
    put("get_missing", outcome(os.getxattr, f, "user.missing"))
    put("value_after_replace", os.getxattr(f, "user.k").decode())
    put("remove", outcome(os.removexattr, f, "user.k"))
    put("remove_missing", outcome(os.removexattr, f, "user.k"))
    put("bad_namespace", outcome(os.setxattr, f, "bogus.k", b"v"))
    put("name_255", outcome(os.setxattr, f, "user." + "n" * 250, b"v"))
    put("name_256", outcome(os.setxattr, f, "user." + "n" * 251, b"v"))
    # Value sizes on files of their own (ext4 keeps all of a file's xattrs in one block).
    f = os.path.join(d, "big")
    write_file(f)
    put("value_4000", outcome(os.setxattr, f, "user.big", b"b" * 4000))
    put("value_4000_back", str(os.getxattr(f, "user.big") == b"b" * 4000))
    h = os.path.join(d, "huge")
    write_file(h)
    put("value_64k", outcome(os.setxattr, h, "user.huge", b"h" * 65536))
    put("value_64k_plus_1", outcome(os.setxattr, h, "user.huge2", b"h" * 65537))
    # Small buffers: ERANGE for both get and list.
    buf = ctypes.create_string_buffer(8)
    r = libc.getxattr(os.fsencode(f), b"user.big", buf, ctypes.c_size_t(8))
    put("getxattr_small_buffer", "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()])
    r = libc.getxattr(os.fsencode(f), b"user.big", None, ctypes.c_size_t(0))
    put("getxattr_size_query", str(r))
    r = libc.listxattr(os.fsencode(f), buf, ctypes.c_size_t(4))
    put("listxattr_small_buffer", "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()])
    r = libc.listxattr(os.fsencode(f), None, ctypes.c_size_t(0))
    put("listxattr_size_query", str(r))
    put("listxattr_size_matches", str(r == sum(len(n) + 1 for n in os.listxattr(f))))
    # user.* on a symlink is not allowed (EPERM); trusted.* is.
    os.symlink("x", os.path.join(d, "sl"))
    put("user_on_symlink", outcome(os.setxattr, os.path.join(d, "sl"), "user.k", b"v", follow_symlinks=False))
    put("trusted_on_symlink", outcome(os.setxattr, os.path.join(d, "sl"), "trusted.k", b"v", follow_symlinks=False))
    put("user_on_dir", outcome(os.setxattr, d, "user.dir", b"d"))
    put("user_on_dir_get", os.getxattr(d, "user.dir").decode())
    # Non-root: trusted.* is invisible and unsettable; user.* needs write permission.
    os.chmod(f, 0o644)
    put("nonroot_trusted_set", as_user(1001, 1001, [], lambda: os.setxattr(f, "trusted.n", b"v")))
    put("nonroot_trusted_list", as_user(1001, 1001, [], lambda: str(sorted(n for n in os.listxattr(f) if n.startswith("trusted.")))))
    put("nonroot_user_set_no_write", as_user(1001, 1001, [], lambda: os.setxattr(f, "user.n", b"v")))
    put("nonroot_user_get", as_user(1001, 1001, [], lambda: os.getxattr(f, "user.big")[:1].decode()))
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("brick_user_big", str(os.getxattr(bp, "user.big") == b"b" * 4000))


# ---- data ----

def fallocate(fd, mode, off, length):
    if libc.fallocate(fd, mode, off, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def check_fallocate(d, bricks):
    f = os.path.join(d, "fa")
    fd = os.open(f, os.O_CREAT | os.O_RDWR, 0o644)
    put("default", outcome(fallocate, fd, 0, 0, MiB))
    st = os.fstat(fd)
    put("default_size", str(st.st_size))
    put("default_blocks_allocated", str(st.st_blocks >= MiB // 512))
    put("keep_size", outcome(fallocate, fd, FALLOC_FL_KEEP_SIZE, MiB, MiB))
    st = os.fstat(fd)
    put("keep_size_size", str(st.st_size))
    put("keep_size_blocks", str(st.st_blocks >= 2 * MiB // 512))
    os.pwrite(fd, b"\xab" * MiB, 0)
    put("punch_without_keep", outcome(fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0, 4096))
    put("punch", outcome(fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 64 * 1024, 128 * 1024))
    put("punch_size", str(os.fstat(fd).st_size))
    put("punch_reads_zero", str(os.pread(fd, 128 * 1024, 64 * 1024) == bytes(128 * 1024)))
    put("punch_keeps_rest", str(os.pread(fd, 64 * 1024, 0) == b"\xab" * 64 * 1024))
    # Data written just before ZERO_RANGE must be zeroed too (no write left behind to land later).
    os.pwrite(fd, b"\xcd" * 256 * 1024, 256 * 1024)
    put("zero_range", outcome(fallocate, fd, FALLOC_FL_ZERO_RANGE, 300 * 1024, 100 * 1024))
    put("zero_range_reads_zero", str(os.pread(fd, 100 * 1024, 300 * 1024) == bytes(100 * 1024)))
    put("zero_range_keeps_before", str(os.pread(fd, 44 * 1024, 256 * 1024) == b"\xcd" * 44 * 1024))
    put("zero_range_keeps_after", str(os.pread(fd, 112 * 1024, 400 * 1024) == b"\xcd" * 112 * 1024))
    put("zero_range_extends", outcome(fallocate, fd, FALLOC_FL_ZERO_RANGE, MiB, 4096))
    put("zero_range_extends_size", str(os.fstat(fd).st_size))
    os.fsync(fd)
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    with open(bp, "rb") as b:
        b.seek(300 * 1024)
        put("brick_zero_range_zero", str(b.read(100 * 1024) == bytes(100 * 1024)))
        b.seek(64 * 1024)
        put("brick_punch_zero", str(b.read(128 * 1024) == bytes(128 * 1024)))
    os.close(fd)
    # SEEK_DATA / SEEK_HOLE on a file with a hole at the start and data at 1 MiB.
    g = os.path.join(d, "holes")
    fd = os.open(g, os.O_CREAT | os.O_RDWR, 0o644)
    os.pwrite(fd, b"d" * 4096, MiB)
    os.ftruncate(fd, 2 * MiB)
    os.fsync(fd)
    put("seek_data_0", outcome(lambda: os.lseek(fd, 0, SEEK_DATA)))
    put("seek_hole_0", outcome(lambda: os.lseek(fd, 0, SEEK_HOLE)))
    put("seek_hole_in_data", outcome(lambda: os.lseek(fd, MiB, SEEK_HOLE)))
    put("seek_data_past_end", outcome(lambda: os.lseek(fd, 3 * MiB, SEEK_DATA)))
    put("seek_data_after_last_data", outcome(lambda: os.lseek(fd, MiB + 8192, SEEK_DATA)))
    os.close(fd)


def brick_pids(bricks):
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        except OSError:
            continue
        for b in bricks:
            if os.fsencode(b) in cmd and b"--dir" in cmd:
                pids.append(int(p))
    return pids


def check_fsync(d, bricks):
    """Proves the brick calls fsync/fdatasync on the file's own fd, by tracing the brick."""
    import subprocess
    f = os.path.join(d, "synced")
    fd = os.open(f, os.O_CREAT | os.O_RDWR, 0o644)
    os.write(fd, b"first")
    pids = brick_pids(bricks)
    put("brick_found", str(len(pids) == len(bricks)))
    log = os.path.join(d_root, "..", "strace-%d.log" % os.getpid())
    tracers = []
    for pid in pids:
        t = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", "%s.%d" % (log, pid),
                              "-p", str(pid)], stderr=subprocess.DEVNULL)
        tracers.append(t)
    time.sleep(1.0)  # strace attaches to every thread of the JVM
    os.write(fd, b" second")
    os.fsync(fd)
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    put("brick_content_after_fsync", read_file(bp).decode())
    os.write(fd, b" third")
    os.fdatasync(fd)
    put("brick_content_after_fdatasync", read_file(bp).decode())
    time.sleep(0.3)
    for t in tracers:
        t.terminate()
        t.wait()
    calls = []
    for pid in pids:
        try:
            for line in open("%s.%d" % (log, pid)):
                parts = line.split(None, 1)
                if len(parts) == 2 and parts[1].startswith(("fsync(", "fdatasync(")):
                    call = parts[1]
                    name = call.split("(")[0]
                    nfd = int(call.split("(")[1].split(")")[0])
                    try:  # the brick may have opened it by its .glusterfs handle: compare inodes
                        st = os.stat("/proc/%d/fd/%d" % (pid, nfd))
                        same = (st.st_dev, st.st_ino) == (os.stat(bp).st_dev, os.stat(bp).st_ino)
                    except OSError:
                        same = False
                    calls.append((name, same))
            os.unlink("%s.%d" % (log, pid))
        except FileNotFoundError:
            pass
    put("brick_fsync_on_file", str(("fsync", True) in calls))
    put("brick_fdatasync_on_file", str(("fdatasync", True) in calls))
    os.close(fd)


def check_mmap(d, bricks):
    f = os.path.join(d, "mapped")
    size = 3 * 4096 + 100
    write_file(f, bytes(size))
    fd = os.open(f, os.O_RDWR)
    m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    m[0:5] = b"hello"
    m[size - 5:size] = b"world"
    m.flush()  # msync(MS_SYNC)
    put("read_after_msync", os.pread(fd, 5, 0).decode() + os.pread(fd, 5, size - 5).decode())
    fd2 = os.open(f, os.O_RDONLY)
    put("read_other_fd", os.pread(fd2, 5, size - 5).decode())
    os.close(fd2)
    bp = on_brick(bricks, os.path.relpath(f, d_root))
    b = read_file(bp)
    put("brick_after_msync", (b[0:5] + b[size - 5:size]).decode())
    put("brick_size", str(len(b)))
    m.close()
    os.close(fd)
    # Written with write(2), read through a mapping (also after the page cache was dropped).
    g = os.path.join(d, "written")
    data = bytes((i * 7) % 251 for i in range(200000))
    write_file(g, data)
    fd = os.open(g, os.O_RDONLY)
    m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ)
    put("mmap_read_matches", str(m[:] == data))
    put("mmap_len", str(len(m)))
    m.close()
    os.close(fd)
    # A private mapping's writes stay private.
    fd = os.open(g, os.O_RDWR)
    m = mmap.mmap(fd, 0, mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE)
    m[0:3] = b"PRV"
    m.close()
    put("private_not_written", str(os.pread(fd, 3, 0) == data[:3]))
    os.close(fd)
    # Writes through the mapping reach the brick at munmap+close without msync, too.
    h = os.path.join(d, "nomsync")
    write_file(h, bytes(8192))
    fd = os.open(h, os.O_RDWR)
    m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    m[4096:4100] = b"late"
    m.close()
    os.fsync(fd)
    os.close(fd)
    put("brick_after_fsync_no_msync", read_file(on_brick(bricks, os.path.relpath(h, d_root)))[4096:4100].decode())


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        sys.exit("usage: posix_checks.py CHECK DIR [BRICK_DIR...]; checks: " + ", ".join(sorted(CHECKS)))
    name, d_root = sys.argv[1], os.path.abspath(sys.argv[2])
    brick_dirs = [os.path.abspath(b) for b in sys.argv[3:]] or [d_root]
    work = os.path.join(d_root, name)
    n = 1
    while os.path.lexists(work):  # a check run twice gets a fresh directory
        n += 1
        work = os.path.join(d_root, "%s-%d" % (name, n))
    os.mkdir(work)
    os.umask(0o022)
    try:
        CHECKS[name](work, brick_dirs)
    finally:
        for k, v in out.items():
            print("%s=%s" % (k, str(v).replace("\n", "\\n")))
        sys.stdout.flush()
