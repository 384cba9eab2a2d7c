package org.glusterj.xlators.cluster.dht;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * GlusterFS's name hash (Davies–Meyer construction over a TEA-like block mix), bit for bit, so
 * that a name lands on the same brick index as it would in a GlusterFS volume; plus the name
 * munging that makes rsync's temporary names hash like their final names.
 *
 * <p>Hashes are 32-bit unsigned values carried in an {@code int}; compare them with
 * {@link Integer#compareUnsigned} or widen them with {@link Integer#toUnsignedLong}.
 */
public final class DmHash {
    /** rsync writes ".name.XXXXXX" and renames it to "name": hash both as "name". */
    public static final String DEFAULT_RSYNC_REGEX = "^\\.(.+)\\.[^.]+$";
    /** The option value that disables a munging regex. */
    public static final String NONE = "none";

    private static final int DELTA = 0x9E3779B9;
    private static final int FULL_ROUNDS = 10;
    private static final int PART_ROUNDS = 6;

    private final Pattern extraRegex;
    private final Pattern rsyncRegex;

    private DmHash(Pattern extraRegex, Pattern rsyncRegex) {
        this.extraRegex = extraRegex;
        this.rsyncRegex = rsyncRegex;
    }

    /** GlusterFS's defaults: the rsync regex on, no extra regex. */
    public static DmHash withDefaults() {
        return withRegexes(DEFAULT_RSYNC_REGEX, null);
    }

    /**
     * A hasher that munges names with {@code rsyncRegex} and {@code extraRegex} (the extra one is
     * tried first). Null, empty or "none" disables a regex. A regex munges a name only if it
     * matches and has a first capture group; the group is what gets hashed.
     *
     * @throws IllegalArgumentException naming the regex if one does not compile
     */
    public static DmHash withRegexes(String rsyncRegex, String extraRegex) {
        return new DmHash(compile("extra-hash-regex", extraRegex), compile("rsync-hash-regex", rsyncRegex));
    }

    private static Pattern compile(String what, String regex) {
        if (regex == null || regex.isEmpty() || regex.toLowerCase(Locale.ROOT).equals(NONE)) return null;
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " \"" + regex + "\" is not a valid regular expression: "
                    + e.getDescription() + "; give a regex with one capture group, or \"none\"", e);
        }
    }

    /** Checks a regex option value; used by the option parser so that a volfile error names the key. */
    static String validRegex(String what, String regex) {
        compile(what, regex);
        return regex;
    }

    /** The name whose hash decides placement: {@code name} after munging. */
    public String munge(String name) {
        String m = mungeWith(extraRegex, name);
        if (m == null) m = mungeWith(rsyncRegex, name);
        return m == null ? name : m;
    }

    private static String mungeWith(Pattern p, String name) {
        if (p == null) return null;
        Matcher m = p.matcher(name);
        if (!m.find() || m.groupCount() < 1 || m.start(1) < 0) return null;
        return m.group(1);
    }

    /** The placement hash of a file or directory name (munged first). */
    public int hashName(String name) {
        return hash(munge(name));
    }

    /** The raw hash of a string's UTF-8 bytes, without munging. */
    public static int hash(String s) {
        return hash(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The raw hash of bytes (GlusterFS gf_dm_hashfn). */
    public static int hash(byte[] msg) {
        int len = msg.length;
        int pad = len | (len << 8);
        pad |= pad << 16;
        int[] state = {0x9464a485, 0x542e1a94};
        int[] block = new int[4];

        int pos = 0;
        int fullBlocks = len / 16;
        for (int i = 0; i < fullBlocks; i++) {
            for (int j = 0; j < 4; j++, pos += 4) block[j] = leWord(msg, pos);
            mix(PART_ROUNDS, block, state);
        }

        // The last block: whole words left, then one word of pad with the tail bytes shifted in,
        // then pad. The tail bytes are sign-extended because GlusterFS reads them as C chars.
        int bytesLeft = len - pos;
        for (int j = 0; j < 4; j++) {
            if (bytesLeft >= 4) {
                block[j] = leWord(msg, pos);
                pos += 4;
                bytesLeft -= 4;
            } else {
                int w = pad;
                while (bytesLeft > 0) {
                    w = (w << 8) | msg[pos++]; // byte → int sign-extends, as (signed char) does
                    bytesLeft--;
                }
                block[j] = w;
            }
        }
        mix(FULL_ROUNDS, block, state);
        return state[0] ^ state[1];
    }

    private static int leWord(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    private static void mix(int rounds, int[] a, int[] h) {
        int sum = 0;
        int b0 = h[0];
        int b1 = h[1];
        for (int n = 0; n < rounds; n++) {
            sum += DELTA;
            b0 += ((b1 << 4) + a[0]) ^ (b1 + sum) ^ ((b1 >>> 5) + a[1]);
            b1 += ((b0 << 4) + a[2]) ^ (b0 + sum) ^ ((b0 >>> 5) + a[3]);
        }
        h[0] += b0;
        h[1] += b1;
    }
}
