package org.glusterj.core;

import java.util.List;
import java.util.function.Function;
import org.glusterj.options.Option;

/**
 * Declares an xlator type: its volfile type string (e.g. {@code storage/posix}), aliases, the
 * options it accepts and how to construct it. Each xlator class holds its own as a constant
 * named {@code TYPE}, beside its options; the registry lists them.
 */
public record XlatorType(String type, List<String> aliases, String doc, List<Option<?>> options,
                         Function<XlatorConfig, Xlator> factory) {
    public XlatorType {
        aliases = List.copyOf(aliases);
        options = List.copyOf(options);
    }

    public boolean answersTo(String typeString) {
        return type.equals(typeString) || aliases.contains(typeString);
    }
}
