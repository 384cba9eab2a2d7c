"""A process that takes locks on command, for LocksIT. One command per line on stdin, one answer
per line on stdout:
  open PATH | close | write TEXT | read N | reread PATH N | setlk T S L | setlkw T S L | getlk T S L | flock ex|sh|un [nb] | exit
T is r, w or u; S and L are l_start and l_len. Answers: "ok", "err ERRNO", "interrupted"
(a signal ended a blocking call), for getlk "lock TYPE START LEN PID", for read "data TEXT"."""
import errno
import fcntl
import os
import signal
import struct
import sys

FLOCK = "hhqqi4x"  # struct flock on x86_64/aarch64 Linux: 32 bytes
TYPES = {"r": fcntl.F_RDLCK, "w": fcntl.F_WRLCK, "u": fcntl.F_UNLCK}
NAMES = {fcntl.F_RDLCK: "r", fcntl.F_WRLCK: "w", fcntl.F_UNLCK: "u"}


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted()


signal.signal(signal.SIGINT, on_signal)


def answer(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main():
    fd = None
    answer("ready %d" % os.getpid())
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        try:
            if cmd == "open":
                fd = os.open(words[1], os.O_RDWR | os.O_CREAT, 0o644)
                answer("ok")
            elif cmd == "write":
                os.pwrite(fd, words[1].encode(), 0)
                answer("ok")
            elif cmd == "read":
                answer("data " + os.pread(fd, int(words[1]), 0).decode())
            elif cmd == "reread":
                # A fresh open: FUSE drops the kernel's cached pages of the file on open.
                other = os.open(words[1], os.O_RDONLY)
                try:
                    text = os.pread(other, int(words[2]), 0).decode()
                finally:
                    os.close(other)
                answer("data " + text)
            elif cmd == "close":
                os.close(fd)
                fd = None
                answer("ok")
            elif cmd in ("setlk", "setlkw", "getlk"):
                op = {"setlk": fcntl.F_SETLK, "setlkw": fcntl.F_SETLKW, "getlk": fcntl.F_GETLK}[cmd]
                arg = struct.pack(FLOCK, TYPES[words[1]], os.SEEK_SET, int(words[2]), int(words[3]), 0)
                got = fcntl.fcntl(fd, op, arg)
                if cmd == "getlk":
                    t, _, start, length, pid = struct.unpack(FLOCK, got)
                    answer("lock %s %d %d %d" % (NAMES[t], start, length, pid))
                else:
                    answer("ok")
            elif cmd == "flock":
                op = {"ex": fcntl.LOCK_EX, "sh": fcntl.LOCK_SH, "un": fcntl.LOCK_UN}[words[1]]
                if len(words) > 2 and words[2] == "nb":
                    op |= fcntl.LOCK_NB
                fcntl.flock(fd, op)
                answer("ok")
            elif cmd == "exit":
                answer("ok")
                return
            else:
                answer("err unknown command " + cmd)
        except Interrupted:
            answer("interrupted")
        except OSError as e:
            answer("err %d" % e.errno)


main()
