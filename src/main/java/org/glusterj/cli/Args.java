package org.glusterj.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small command-line reader: positional words, {@code --flag value} / {@code --flag=value}
 * options (repeatable ones collected in order), {@code -o OPTS} and boolean switches.
 */
final class Args {
    final List<String> positional = new ArrayList<>();
    final Map<String, List<String>> values = new LinkedHashMap<>();
    final List<String> switches = new ArrayList<>();

    static Args parse(String[] argv, Set<String> valued, Set<String> booleans) throws UsageException {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("-") || arg.equals("-")) {
                a.positional.add(arg);
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (booleans.contains(name)) {
                a.switches.add(name);
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) throw new UsageException(name + " needs a value");
                    value = argv[++i];
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException("unknown option " + name + " (see --help)");
            }
        }
        return a;
    }

    boolean has(String flag) {
        return switches.contains(flag) || values.containsKey(flag);
    }

    String last(String flag) {
        List<String> v = values.get(flag);
        return v == null ? null : v.get(v.size() - 1);
    }

    List<String> all(String flag) {
        return values.getOrDefault(flag, List.of());
    }

    int intValue(String flag, int dflt) throws UsageException {
        String v = last(flag);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " takes a number, got \"" + v + "\"");
        }
    }
}
