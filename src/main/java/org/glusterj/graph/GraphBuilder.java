package org.glusterj.graph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.graph.VolumeSpec.OptionValue;
import org.glusterj.options.Option;
import org.glusterj.options.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a volfile into a {@link Graph}: parse, apply {@code --xlator-option} overrides, validate
 * the whole graph (types known, every option valid, required options set), and only then
 * construct the xlators, children before parents. Volumes not reachable from the top (the last
 * volume) are validated but not built, with a warning.
 */
public final class GraphBuilder {
    private static final Logger log = LoggerFactory.getLogger(GraphBuilder.class);

    private final Function<String, Optional<XlatorType>> types;
    private final Supplier<List<String>> knownTypes;

    /** Uses the xlator types of {@link XlatorRegistry}. */
    public GraphBuilder() {
        this(XlatorRegistry::find, () -> XlatorRegistry.all().stream().map(XlatorType::type).toList());
    }

    /** @param types looks up a volfile type string (e.g. {@code performance/write-behind}) */
    public GraphBuilder(Function<String, Optional<XlatorType>> types) {
        this(types, null);
    }

    /** Uses exactly these types; unknown-type errors list them. */
    public GraphBuilder(List<XlatorType> types) {
        this(t -> types.stream().filter(x -> x.answersTo(t)).findFirst(),
                () -> types.stream().map(XlatorType::type).toList());
    }

    private GraphBuilder(Function<String, Optional<XlatorType>> types, Supplier<List<String>> knownTypes) {
        this.types = types;
        this.knownTypes = knownTypes;
    }

    public Graph build(Path volfile, List<String> xlatorOptions) throws VolfileException {
        return build(VolfileParser.read(volfile), volfile.toString(), xlatorOptions);
    }

    /**
     * @param sourceName    how errors name the text, usually its file name
     * @param xlatorOptions {@code VOLUME.KEY=VALUE} overrides, applied in order (a later one wins)
     */
    public Graph build(String text, String sourceName, List<String> xlatorOptions) throws VolfileException {
        Volfile volfile = VolfileParser.parse(text, sourceName);
        Map<String, VolumeSpec> volumes = applyOverrides(volfile, xlatorOptions);
        Map<String, XlatorType> resolved = resolveTypes(volfile.source(), volumes);
        for (VolumeSpec v : volumes.values()) validateOptions(volfile.source(), v, resolved.get(v.name()));
        Set<String> reachable = reachableFromTop(volfile);
        return construct(volfile.source(), volumes, resolved, reachable);
    }

    private static Map<String, VolumeSpec> applyOverrides(Volfile volfile, List<String> xlatorOptions)
            throws VolfileException {
        Map<String, VolumeSpec> volumes = new java.util.LinkedHashMap<>();
        for (VolumeSpec v : volfile.volumes()) volumes.put(v.name(), v);
        for (String text : xlatorOptions == null ? List.<String>of() : xlatorOptions) {
            if (text == null) throw new IllegalArgumentException("null --xlator-option");
            XlatorOption o = XlatorOption.parse(text, volumes.keySet());
            for (VolumeSpec v : List.copyOf(volumes.values())) {
                if (!o.appliesTo(v.name())) continue;
                OptionValue old = v.options().get(o.key());
                int line = old != null ? old.line() : v.line();
                log.info("{}: volume \"{}\": option \"{}\" set to \"{}\" by --xlator-option{}", volfile.source(),
                        v.name(), o.key(), o.value(), old != null ? " (was \"" + old.value() + "\")" : "");
                volumes.put(v.name(), v.withOption(o.key(), new OptionValue(o.value(), line, text)));
            }
        }
        return volumes;
    }

    /** Checks every type before looking at any option, so the first unknown type is the error shown. */
    private Map<String, XlatorType> resolveTypes(String source, Map<String, VolumeSpec> volumes)
            throws VolfileException {
        Map<String, XlatorType> resolved = new HashMap<>();
        for (VolumeSpec v : volumes.values()) {
            Optional<XlatorType> type = types.apply(v.type());
            if (type == null || type.isEmpty()) {
                throw new VolfileException(source, v.typeLine(), v.name(),
                        "unknown type \"" + v.type() + "\"; " + knownTypesText());
            }
            resolved.put(v.name(), type.get());
        }
        return resolved;
    }

    private String knownTypesText() {
        if (knownTypes == null) return "see docs/volfile-reference.md for the types glusterj implements";
        List<String> known = knownTypes.get();
        return "known types: " + (known.isEmpty() ? "none" : String.join(", ", known));
    }

    private static void validateOptions(String source, VolumeSpec v, XlatorType type) throws VolfileException {
        List<Option<?>> declared = type.options();
        for (Map.Entry<String, OptionValue> e : v.options().entrySet()) {
            OptionValue ov = e.getValue();
            List<String> problems = new Options(Map.of(e.getKey(), ov.value())).validate(declared);
            if (!problems.isEmpty()) {
                // A value from the command line is blamed on the command line, not on a volfile line.
                throw ov.overridden()
                        ? new VolfileException("--xlator-option \"" + ov.override() + "\"", 0, v.name(),
                                problems.get(0))
                        : new VolfileException(source, ov.line(), v.name(), problems.get(0));
            }
        }
        for (Option<?> o : declared) {
            if (o.isRequired() && v.options().keySet().stream().noneMatch(o::matches)) {
                throw new VolfileException(source, v.line(), v.name(), "required option \"" + o.key()
                        + "\" is missing for type " + type.type() + "; add \"option " + o.key() + " VALUE\" ("
                        + o.allowed() + ")");
            }
        }
    }

    private static Set<String> reachableFromTop(Volfile volfile) {
        Set<String> reachable = new HashSet<>();
        reachable.add(volfile.top().name());
        List<VolumeSpec> all = volfile.volumes();
        // Subvolumes are always defined earlier, so one backward pass sees every parent before its children.
        for (int i = all.size() - 1; i >= 0; i--) {
            VolumeSpec v = all.get(i);
            if (reachable.contains(v.name())) {
                reachable.addAll(v.subvolumes());
            } else {
                log.warn("{}:{}: volume \"{}\" is not reachable from the top volume \"{}\"; it is validated but "
                        + "not built", volfile.source(), v.line(), v.name(), volfile.top().name());
            }
        }
        return reachable;
    }

    private static Graph construct(String source, Map<String, VolumeSpec> volumes, Map<String, XlatorType> types,
                                   Set<String> reachable) throws VolfileException {
        Map<String, Xlator> built = new HashMap<>();
        List<Xlator> bottomUp = new ArrayList<>();
        int slot = 0;
        for (VolumeSpec v : volumes.values()) {
            if (!reachable.contains(v.name())) continue;
            XlatorType type = types.get(v.name());
            List<Xlator> children = v.subvolumes().stream().map(built::get).toList();
            XlatorConfig config = new XlatorConfig(v.name(), type.type(), new Options(v.rawOptions()), children,
                    slot++);
            Xlator x;
            try {
                x = type.factory().apply(config);
                if (x == null) throw new IllegalStateException("factory of " + type.type() + " returned null");
            } catch (RuntimeException | LinkageError e) {
                List<Xlator> topFirst = new ArrayList<>(bottomUp);
                Collections.reverse(topFirst);
                Graph.finiAll(topFirst);
                String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                throw new VolfileException(source, v.line(), v.name(), "cannot start " + type.type() + ": " + why, e);
            }
            built.put(v.name(), x);
            bottomUp.add(x);
        }
        Collections.reverse(bottomUp);
        log.info("{}: built {} xlators, top volume \"{}\"", source, bottomUp.size(), bottomUp.get(0).name());
        return new Graph(bottomUp);
    }
}
