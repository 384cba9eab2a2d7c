package org.glusterj.cli;

/** A command line or configuration the user must fix; printed as one line, exit code 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
