package org.glusterj.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The extension channel every fop and reply carries (GlusterFS xdata dict): small keyed byte
 * values such as a layout, a linkto target or a request for file content. Immutable.
 */
public final class Xdata {
    public static final Xdata EMPTY = new Xdata(Map.of());

    private final Map<String, byte[]> values;

    private Xdata(Map<String, byte[]> values) {
        this.values = values;
    }

    public static Xdata of(Map<String, byte[]> values) {
        return values.isEmpty() ? EMPTY : new Xdata(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }

    public static Xdata of(String key, byte[] value) {
        return new Xdata(Map.of(key, value));
    }

    public static Xdata of(String key, String value) {
        return of(key, value.getBytes(StandardCharsets.UTF_8));
    }

    public Xdata with(String key, byte[] value) {
        Map<String, byte[]> m = new LinkedHashMap<>(values);
        m.put(key, value);
        return new Xdata(Collections.unmodifiableMap(m));
    }

    public Xdata without(String key) {
        if (!values.containsKey(key)) return this;
        Map<String, byte[]> m = new LinkedHashMap<>(values);
        m.remove(key);
        return of(m);
    }

    public byte[] get(String key) {
        return values.get(key);
    }

    public String getString(String key) {
        byte[] v = values.get(key);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public Map<String, byte[]> asMap() {
        return values;
    }

    /** Same keys with the same bytes. */
    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (!(o instanceof Xdata other) || other.values.size() != values.size()) return false;
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.values.get(e.getKey()))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, byte[]> e : values.entrySet()) h += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
        return h;
    }

    @Override
    public String toString() {
        return "Xdata" + values.keySet();
    }
}
