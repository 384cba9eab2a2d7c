package org.glusterj.options;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The option values of one xlator, as written in its volfile (and overridden on the command
 * line). They were validated against the xlator's declared {@link Option}s before the graph was
 * built, so {@link #get} only fails for a programming error.
 */
public final class Options {
    public static final Options NONE = new Options(Map.of());

    private final Map<String, String> raw;

    public Options(Map<String, String> raw) {
        this.raw = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    }

    public static Options of(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) m.put(keyValues[i], keyValues[i + 1]);
        return new Options(m);
    }

    /** The value set for this option, or its default; null if neither. */
    public <T> T get(Option<T> option) {
        String v = raw.get(option.key());
        if (v == null) v = option.defaultValue();
        return v == null ? null : option.parse(v);
    }

    public boolean isSet(Option<?> option) {
        return raw.containsKey(option.key());
    }

    /** For a pattern option (key with {@code *}): every key that matches it, with its parsed value. */
    public <T> Map<String, T> matching(Option<T> option) {
        Map<String, T> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (option.matches(k)) out.put(k, option.parse(v));
        });
        return out;
    }

    public Map<String, String> raw() {
        return raw;
    }

    /**
     * Checks every value against the declared options. Returns one message per problem, each naming
     * the key; an unknown key is a problem too (GlusterFS only warns, we refuse).
     */
    public List<String> validate(List<Option<?>> declared) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        raw.forEach((k, v) -> {
            Option<?> match = null;
            for (Option<?> o : declared) {
                if (o.matches(k)) {
                    match = o;
                    break;
                }
            }
            if (match == null) {
                problems.add("unknown option \"" + k + "\"" + (declared.isEmpty() ? " (this type takes no options)"
                        : "; known options: " + String.join(", ", declared.stream().map(Option::key).toList())));
                return;
            }
            try {
                match.parse(v);
            } catch (IllegalArgumentException e) {
                problems.add("option \"" + k + "\": " + e.getMessage());
            }
        });
        return problems;
    }

    @Override
    public String toString() {
        return raw.toString();
    }
}
