package org.glusterj.options;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A typed option an xlator accepts (GlusterFS volume_option_t), declared as a constant next to
 * the xlator that reads it. The key may contain {@code *} (e.g. {@code auth.addr.*.allow}).
 * {@link #parse} rejects a bad value with a message that names the allowed values.
 */
public final class Option<T> {
    private final String key;
    private final String typeName;
    private final String defaultValue;
    private final String doc;
    private final String allowedText;
    private final Function<String, T> parser;
    private final boolean required;

    private Option(String key, String typeName, String defaultValue, String allowedText, String doc,
                   Function<String, T> parser) {
        this(key, typeName, defaultValue, allowedText, doc, parser, false);
    }

    private Option(String key, String typeName, String defaultValue, String allowedText, String doc,
                   Function<String, T> parser, boolean required) {
        this.key = key;
        this.typeName = typeName;
        this.defaultValue = defaultValue;
        this.allowedText = allowedText;
        this.doc = doc;
        this.parser = parser;
        this.required = required;
    }

    /**
     * The same option, but the graph builder refuses a volume that does not set it (e.g. a brick's
     * {@code directory}). For a pattern key, at least one matching key must be set.
     */
    public Option<T> required() {
        return new Option<>(key, typeName, defaultValue, allowedText, doc, parser, true);
    }

    public boolean isRequired() {
        return required;
    }

    public String key() {
        return key;
    }

    public String typeName() {
        return typeName;
    }

    /** The value used when the volfile does not set the option; null if it has none. */
    public String defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** Human-readable range or list of allowed values, as error messages and docs show it. */
    public String allowed() {
        return allowedText;
    }

    public boolean isPattern() {
        return key.indexOf('*') >= 0;
    }

    public boolean matches(String candidate) {
        if (!isPattern()) return key.equals(candidate);
        return candidate.matches(java.util.regex.Pattern.quote(key).replace("*", "\\E.+\\Q"));
    }

    /** Parses a value or throws {@link IllegalArgumentException} whose message says what is allowed. */
    public T parse(String raw) {
        if (raw == null) throw new IllegalArgumentException("no value given; allowed: " + allowedText);
        try {
            return parser.apply(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value \"" + raw + "\"; allowed: " + allowedText, e);
        }
    }

    // ---- factories ----

    public static Option<String> string(String key, String defaultValue, String doc) {
        return new Option<>(key, "string", defaultValue, "any text", doc, Function.identity());
    }

    public static Option<String> path(String key, String defaultValue, String doc) {
        return new Option<>(key, "path", defaultValue, "an absolute path", doc, v -> {
            if (!v.startsWith("/")) throw new IllegalArgumentException("not absolute");
            return v;
        });
    }

    public static Option<Integer> integer(String key, Integer defaultValue, int min, int max, String doc) {
        return new Option<>(key, "int", str(defaultValue), "an integer from " + min + " to " + max, doc, v -> {
            long n = Long.parseLong(v);
            if (n < min || n > max) throw new IllegalArgumentException("out of range");
            return (int) n;
        });
    }

    /** A byte count: a plain number or one with a KB/MB/GB/TB suffix (powers of 1024), as GlusterFS takes it. */
    public static Option<Long> size(String key, String defaultValue, long min, long max, String doc) {
        return new Option<>(key, "size", defaultValue,
                "a size from " + min + " to " + max + " bytes (suffixes KB, MB, GB, TB)", doc, v -> {
            long n = parseSize(v);
            if (n < min || n > max) throw new IllegalArgumentException("out of range");
            return n;
        });
    }

    /** GlusterFS booleans: on/off, yes/no, true/false, enable/disable, 1/0. */
    public static Option<Boolean> bool(String key, Boolean defaultValue, String doc) {
        return new Option<>(key, "bool", str(defaultValue), "on, off, yes, no, true, false, enable, disable, 1, 0", doc,
                Option::parseBool);
    }

    /** A duration in seconds; a suffix of ms, s, m or h is also accepted. */
    public static Option<Duration> time(String key, String defaultValue, Duration min, Duration max, String doc) {
        return new Option<>(key, "time", defaultValue,
                "a time from " + min.toMillis() / 1000.0 + " to " + max.toMillis() / 1000.0 + " seconds (suffixes ms, s, m, h)",
                doc, v -> {
            Duration d = parseTime(v);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) throw new IllegalArgumentException("out of range");
            return d;
        });
    }

    public static Option<String> choice(String key, String defaultValue, List<String> allowed, String doc) {
        return new Option<>(key, "choice", defaultValue, String.join(", ", allowed), doc, v -> {
            for (String a : allowed) if (a.equalsIgnoreCase(v)) return a;
            throw new IllegalArgumentException("not allowed");
        });
    }

    /** Any other type: {@code parser} throws IllegalArgumentException for a bad value. */
    public static <T> Option<T> custom(String key, String typeName, String defaultValue, String allowedText,
                                       String doc, Function<String, T> parser) {
        return new Option<>(key, typeName, defaultValue, allowedText, doc, parser);
    }

    // ---- value parsers, shared with command-line flags ----

    public static boolean parseBool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "on": case "yes": case "true": case "enable": case "1": return true;
            case "off": case "no": case "false": case "disable": case "0": return false;
            default: throw new IllegalArgumentException("not a boolean");
        }
    }

    public static long parseSize(String v) {
        String s = v.toUpperCase(Locale.ROOT).replace(" ", "");
        long mult = 1;
        String[][] suffixes = {{"TB", "T"}, {"GB", "G"}, {"MB", "M"}, {"KB", "K"}};
        long[] mults = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
        outer:
        for (int i = 0; i < suffixes.length; i++) {
            for (String suf : suffixes[i]) {
                if (s.endsWith(suf)) {
                    s = s.substring(0, s.length() - suf.length());
                    mult = mults[i];
                    break outer;
                }
            }
        }
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        long n = Long.parseLong(s);
        if (n < 0) throw new IllegalArgumentException("negative");
        return Math.multiplyExact(n, mult);
    }

    public static Duration parseTime(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        if (s.endsWith("s")) s = s.substring(0, s.length() - 1);
        else if (s.endsWith("m")) return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        else if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
        double secs = Double.parseDouble(s);
        if (secs < 0 || Double.isNaN(secs)) throw new IllegalArgumentException("negative");
        return Duration.ofMillis(Math.round(secs * 1000));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    @Override
    public String toString() {
        return key + " (" + typeName + ")";
    }
}
