package org.glusterj.xlators.mount.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks a mountpoint before mounting, recovers stale FUSE mounts, and unmounts. */
final class Mountpoints {
    private static final Logger log = LoggerFactory.getLogger(Mountpoints.class);
    static final String NOT_CONNECTED = "Transport endpoint is not connected";
    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private Mountpoints() {
    }

    /**
     * The absolute mountpoint, after checking that it is an existing directory. A stale mount left
     * by a killed client (stat fails with ENOTCONN) is lazily unmounted first, with a warning.
     */
    static Path prepare(Path mountpoint) {
        if (mountpoint == null) throw new MountException("no mountpoint given");
        Path abs = mountpoint.toAbsolutePath().normalize();
        try {
            return checkDirectory(abs);
        } catch (IOException e) {
            if (!isNotConnected(e)) throw statFailure(abs, e);
        }
        log.warn("mountpoint {} is a dead FUSE mount ({}), probably left by a killed client; "
                + "detaching it with fusermount -u -z before mounting", abs, NOT_CONNECTED);
        if (!lazyUnmount(abs)) {
            throw new MountException("mountpoint " + abs + " is a dead FUSE mount and could not be detached; "
                    + "run 'fusermount -u -z " + abs + "' (or 'umount -l') as root and retry");
        }
        try {
            return checkDirectory(abs);
        } catch (IOException e) {
            throw statFailure(abs, e);
        }
    }

    private static Path checkDirectory(Path abs) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new MountException("mountpoint " + abs + " does not exist; create the directory first (mkdir -p "
                    + abs + ")");
        }
        if (!a.isDirectory()) {
            throw new MountException("mountpoint " + abs + " is not a directory; give an existing directory");
        }
        return abs;
    }

    private static MountException statFailure(Path abs, IOException e) {
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.toString();
        return new MountException("cannot use mountpoint " + abs + ": " + reason, e);
    }

    static boolean isNotConnected(IOException e) {
        String reason = e instanceof FileSystemException fse ? fse.getReason() : null;
        return NOT_CONNECTED.equals(reason) || (e.getMessage() != null && e.getMessage().contains(NOT_CONNECTED));
    }

    /** Detaches a FUSE mount even if busy: fusermount -u -z, else umount -l. True on success. */
    static boolean lazyUnmount(Path mountpoint) {
        String mp = mountpoint.toString();
        return run(List.of("fusermount", "-u", "-z", mp)) || run(List.of("umount", "-l", mp));
    }

    private static boolean run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("{} did not finish within {} s", String.join(" ", command), COMMAND_TIMEOUT_SECONDS);
                return false;
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                log.debug("{} exited with {}: {}", String.join(" ", command), p.exitValue(), output);
                return false;
            }
            return true;
        } catch (IOException e) {
            log.debug("cannot run {}: {}", command.get(0), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether libfuse will accept allow_other from this process: always for root, otherwise only
     * if /etc/fuse.conf has user_allow_other (fusermount refuses the mount if not).
     */
    static boolean allowOtherPermitted() {
        if (currentUid() == 0) return true;
        try {
            return Files.readAllLines(Path.of("/etc/fuse.conf"), StandardCharsets.UTF_8).stream()
                    .map(String::trim).anyMatch("user_allow_other"::equals);
        } catch (IOException e) {
            return false;
        }
    }

    private static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read own uid: {}", e.toString());
        }
        return -1;
    }
}
