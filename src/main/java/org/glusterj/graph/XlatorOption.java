package org.glusterj.graph;

import java.util.Collection;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code --xlator-option VOLUME.KEY=VALUE} from the command line. VOLUME may be a glob
 * ({@code *}, {@code ?}, {@code [...]}, like GlusterFS's fnmatch) and matches every volume it
 * fits. Volume names and keys may both contain dots, so the split is at the first dot whose left
 * side names or matches a volume of the volfile.
 */
record XlatorOption(String text, String volume, String key, String value) {

    static XlatorOption parse(String text, Collection<String> volumeNames) throws VolfileException {
        int eq = text.indexOf('=');
        int firstDot = text.indexOf('.');
        if (eq < 0 || firstDot < 0 || firstDot > eq || firstDot == 0) {
            throw error(text, "expected VOLUME.KEY=VALUE, e.g. gv0-client-0.ping-timeout=10");
        }
        String target = text.substring(0, eq);
        String value = text.substring(eq + 1);
        for (int dot = firstDot; dot >= 0; dot = target.indexOf('.', dot + 1)) {
            String volume = target.substring(0, dot);
            String key = target.substring(dot + 1);
            if (key.isEmpty()) break;
            if (volumeNames.stream().anyMatch(name -> matches(volume, name))) {
                return new XlatorOption(text, volume, key, value);
            }
        }
        if (target.endsWith(".")) throw error(text, "no option key after the volume name; expected VOLUME.KEY=VALUE");
        throw error(text, "no volume named or matching \"" + target.substring(0, firstDot) + "\"; volumes: "
                + String.join(", ", volumeNames));
    }

    boolean appliesTo(String volumeName) {
        return matches(volume, volumeName);
    }

    /** Where errors about this override point: the command-line argument itself. */
    String source() {
        return source(text);
    }

    private static String source(String text) {
        return "--xlator-option \"" + text + "\"";
    }

    private static VolfileException error(String text, String reason) {
        return new VolfileException(source(text), 0, null, reason);
    }

    static boolean matches(String glob, String name) {
        if (glob.equals(name)) return true;
        try {
            return globToRegex(glob).matcher(name).matches();
        } catch (PatternSyntaxException e) {
            return false; // e.g. a reversed range [z-a]: matches nothing, as in fnmatch
        }
    }

    /** fnmatch(3) without flags: {@code *} and {@code ?} also match '/', {@code [!...]} negates. */
    static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            // A ']' right after '[' or '[!' belongs to the set, as in fnmatch.
            int close = c == '[' ? glob.indexOf(']', i + (glob.startsWith("[!", i) ? 3 : 2)) : -1;
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (close > 0) {
                String set = glob.substring(i + 1, close);
                boolean negate = set.startsWith("!");
                if (negate) set = set.substring(1);
                re.append(negate ? "[^" : "[");
                for (char m : set.toCharArray()) {
                    if (m != '-' && !Character.isLetterOrDigit(m)) re.append('\\');
                    re.append(m);
                }
                re.append(']');
                i = close;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
