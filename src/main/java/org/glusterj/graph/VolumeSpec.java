package org.glusterj.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code volume ... end-volume} block as written, with the line of each statement so that
 * later checks (type known, option valid) can point at the line to fix.
 *
 * @param line            line of {@code volume NAME}
 * @param typeLine        line of {@code type}
 * @param options         option key to value, in first-set order
 * @param subvolumesLine  line of {@code subvolumes}, or 0 if the volume has none
 */
public record VolumeSpec(String name, int line, String type, int typeLine, Map<String, OptionValue> options,
                         List<String> subvolumes, int subvolumesLine) {
    public VolumeSpec {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        subvolumes = List.copyOf(subvolumes);
    }

    /** One option value and where it came from. */
    public record OptionValue(String value, int line, String override) {
        /** From the volfile, at {@code line}. */
        public static OptionValue at(String value, int line) {
            return new OptionValue(value, line, null);
        }

        /** True if an {@code --xlator-option} (kept in {@link #override()}) set this value. */
        public boolean overridden() {
            return override != null;
        }
    }

    /** The option values as xlators receive them. */
    public Map<String, String> rawOptions() {
        Map<String, String> raw = new LinkedHashMap<>();
        options.forEach((k, v) -> raw.put(k, v.value()));
        return raw;
    }

    VolumeSpec withOption(String key, OptionValue value) {
        Map<String, OptionValue> copy = new LinkedHashMap<>(options);
        copy.put(key, value);
        return new VolumeSpec(name, line, type, typeLine, copy, subvolumes, subvolumesLine);
    }
}
