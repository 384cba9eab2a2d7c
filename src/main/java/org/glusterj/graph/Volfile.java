package org.glusterj.graph;

import java.util.List;
import java.util.Optional;

/**
 * A parsed volfile: its volumes in file order. Children always come before their parents (the
 * grammar requires it), so file order is a valid construction order; the last volume is the top.
 */
public record Volfile(String source, List<VolumeSpec> volumes) {
    public Volfile {
        volumes = List.copyOf(volumes);
        if (volumes.isEmpty()) throw new IllegalArgumentException("a volfile has at least one volume");
    }

    public VolumeSpec top() {
        return volumes.get(volumes.size() - 1);
    }

    public Optional<VolumeSpec> find(String name) {
        return volumes.stream().filter(v -> v.name().equals(name)).findFirst();
    }
}
