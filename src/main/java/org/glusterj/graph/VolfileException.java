package org.glusterj.graph;

/**
 * A volfile (or {@code --xlator-option}) that cannot be loaded. The message is one line,
 * {@code <source>:<line>: volume "<name>": <reason>}, the line and volume parts left out when
 * they do not apply, so that it can be shown to the user as it is.
 */
public final class VolfileException extends Exception {
    private final String source;
    private final int line;
    private final String volume;
    private final String reason;

    /**
     * @param source file name (or {@code --xlator-option ...}) the problem is in
     * @param line   1-based line, or 0 when no single line is to blame
     * @param volume the volume concerned, or null
     * @param reason what is wrong and, where it helps, what to do
     */
    public VolfileException(String source, int line, String volume, String reason) {
        this(source, line, volume, reason, null);
    }

    public VolfileException(String source, int line, String volume, String reason, Throwable cause) {
        super(format(source, line, volume, reason), cause);
        this.source = source;
        this.line = line;
        this.volume = volume;
        this.reason = reason;
    }

    private static String format(String source, int line, String volume, String reason) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (volume != null) sb.append("volume \"").append(volume).append("\": ");
        // One line, whatever a cause message or a value smuggled in.
        sb.append(reason.replace("\r", "\\r").replace("\n", "\\n"));
        return sb.toString();
    }

    public String source() {
        return source;
    }

    /** The 1-based line, or 0 if none applies. */
    public int line() {
        return line;
    }

    /** The volume concerned, or null. */
    public String volume() {
        return volume;
    }

    /** The message without its location prefix. */
    public String reason() {
        return reason;
    }
}
