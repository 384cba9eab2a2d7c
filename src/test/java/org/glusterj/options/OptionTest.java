package org.glusterj.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionTest {
    private static final Option<Long> CACHE = Option.size("cache-size", "32MB", 0, 1L << 40, "cache");
    private static final Option<Boolean> FLUSH = Option.bool("flush-behind", true, "flush");
    private static final Option<Duration> PING = Option.time("ping-timeout", "42", Duration.ZERO, Duration.ofSeconds(1800), "ping");
    private static final Option<Integer> THREADS = Option.integer("thread-count", 16, 1, 64, "threads");
    private static final Option<String> MODE = Option.choice("mode", "fast", List.of("fast", "safe"), "mode");
    private static final Option<String> ALLOW = Option.string("auth.addr.*.allow", null, "allow");

    @Test
    void sizesTakeGlusterSuffixes() {
        assertEquals(32L << 20, CACHE.parse("32MB"));
        assertEquals(128L << 10, CACHE.parse("128KB"));
        assertEquals(128L << 10, CACHE.parse("128k"));
        assertEquals(1L << 30, CACHE.parse("1GB"));
        assertEquals(4096L, CACHE.parse("4096"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CACHE.parse("lots"));
        assertTrue(e.getMessage().contains("\"lots\"") && e.getMessage().contains("suffixes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CACHE.parse("-1"));
    }

    @Test
    void booleansAsGlusterSpellsThem() {
        for (String t : List.of("on", "YES", "true", "enable", "1")) assertTrue(FLUSH.parse(t), t);
        for (String f : List.of("off", "no", "False", "disable", "0")) assertFalse(FLUSH.parse(f), f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FLUSH.parse("maybe"));
        assertTrue(e.getMessage().contains("on, off"), e.getMessage());
    }

    @Test
    void timesInSecondsOrWithSuffix() {
        assertEquals(Duration.ofSeconds(42), PING.parse("42"));
        assertEquals(Duration.ofMillis(1500), PING.parse("1.5"));
        assertEquals(Duration.ofMillis(250), PING.parse("250ms"));
        assertEquals(Duration.ofMinutes(2), PING.parse("2m"));
        assertThrows(IllegalArgumentException.class, () -> PING.parse("3h"), "above the maximum");
        assertThrows(IllegalArgumentException.class, () -> PING.parse("soon"));
    }

    @Test
    void integersAndChoicesAreRangeChecked() {
        assertEquals(8, THREADS.parse("8"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> THREADS.parse("65"));
        assertTrue(e.getMessage().contains("from 1 to 64"), e.getMessage());
        assertEquals("safe", MODE.parse("SAFE"));
        e = assertThrows(IllegalArgumentException.class, () -> MODE.parse("slow"));
        assertTrue(e.getMessage().contains("fast, safe"), e.getMessage());
    }

    @Test
    void optionsFallBackToDefaultsAndMatchPatterns() {
        Options o = Options.of("thread-count", "4", "auth.addr.b1.allow", "127.0.0.1", "auth.addr.b2.allow", "*");
        assertEquals(4, o.get(THREADS));
        assertEquals(32L << 20, o.get(CACHE));
        assertNull(o.get(ALLOW), "a pattern key has no single value");
        assertEquals(Map.of("auth.addr.b1.allow", "127.0.0.1", "auth.addr.b2.allow", "*"), o.matching(ALLOW));
        assertFalse(ALLOW.matches("auth.addr..allow"));
    }

    @Test
    void validationNamesEveryBadKey() {
        Options o = Options.of("thread-count", "0", "cache-sise", "1MB", "mode", "fast");
        List<String> problems = o.validate(List.of(THREADS, CACHE, MODE));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("thread-count") && problems.get(0).contains("from 1 to 64"), problems.get(0));
        assertTrue(problems.get(1).contains("unknown option \"cache-sise\"") && problems.get(1).contains("cache-size"),
                problems.get(1));
    }
}
