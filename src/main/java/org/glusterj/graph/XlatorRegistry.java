package org.glusterj.graph;

import java.util.List;
import java.util.Optional;
import org.glusterj.core.XlatorType;
import org.glusterj.xlators.cluster.dht.DistributeXlator;
import org.glusterj.xlators.debug.IoStatsXlator;
import org.glusterj.xlators.debug.TraceXlator;
import org.glusterj.xlators.features.locks.LocksXlator;
import org.glusterj.xlators.features.upcall.UpcallXlator;
import org.glusterj.xlators.performance.iocache.IoCacheXlator;
import org.glusterj.xlators.performance.iothreads.IoThreadsXlator;
import org.glusterj.xlators.performance.mdcache.MdCacheXlator;
import org.glusterj.xlators.performance.nlcache.NlCacheXlator;
import org.glusterj.xlators.performance.openbehind.OpenBehindXlator;
import org.glusterj.xlators.performance.quickread.QuickReadXlator;
import org.glusterj.xlators.performance.readahead.ReadAheadXlator;
import org.glusterj.xlators.performance.readdirahead.ReaddirAheadXlator;
import org.glusterj.xlators.performance.writebehind.WriteBehindXlator;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.glusterj.xlators.storage.posix.PosixXlator;

/** Every xlator type glusterj knows, by volfile type string. One line per xlator. */
public final class XlatorRegistry {
    private static final List<XlatorType> TYPES = List.of(
            ClientXlator.TYPE,
            ServerXlator.TYPE,
            PosixXlator.TYPE,
            DistributeXlator.TYPE,
            IoThreadsXlator.TYPE,
            LocksXlator.TYPE,
            UpcallXlator.TYPE,
            WriteBehindXlator.TYPE,
            MdCacheXlator.TYPE,
            NlCacheXlator.TYPE,
            QuickReadXlator.TYPE,
            OpenBehindXlator.TYPE,
            ReadAheadXlator.TYPE,
            IoCacheXlator.TYPE,
            ReaddirAheadXlator.TYPE,
            IoStatsXlator.TYPE,
            TraceXlator.TYPE
    );

    public static List<XlatorType> all() {
        return TYPES;
    }

    public static Optional<XlatorType> find(String type) {
        return TYPES.stream().filter(t -> t.answersTo(type)).findFirst();
    }

    private XlatorRegistry() {
    }
}
