package org.glusterj.xlators.protocol.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.rpc.RpcFrameDecoder;
import org.glusterj.rpc.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * protocol/server: the top of a brick graph. Listens for protocol/client connections once the graph
 * is activated (PARENT_UP), admits each after a handshake naming one of its subvolumes and passing
 * that subvolume's {@code auth.addr.<name>.allow} list, and winds the fops it receives into that
 * subvolume on the connection's event loop. Brick graphs put performance/io-threads below it so
 * that blocking disk I/O does not hold up the event loops.
 */
public final class ServerXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(ServerXlator.class);
    private static final String COMPAT = "Accepted for GlusterFS volfile compatibility; no effect in glusterj.";

    public static final Option<Integer> LISTEN_PORT = Option.integer("transport.socket.listen-port", 24009, 0, 65535,
            "TCP port to listen on (0 picks a free port).");
    public static final Option<String> BIND_ADDRESS = Option.string("transport.socket.bind-address", "0.0.0.0",
            "Address to listen on.");
    public static final Option<String> AUTH_ALLOW = Option.string("auth.addr.*.allow", null,
            "Comma-separated client address patterns (* matches anything) allowed to use the named subvolume. "
                    + "A subvolume without this option admits nobody.");

    public static final List<Option<?>> OPTIONS = List.of(LISTEN_PORT, BIND_ADDRESS, AUTH_ALLOW,
            Option.string("transport-type", null, COMPAT + " Only tcp is implemented."),
            Option.string("transport.address-family", null, COMPAT),
            Option.string("transport.listen-backlog", null, COMPAT),
            Option.string("transport.socket.keepalive", null, COMPAT),
            Option.string("transport.socket.keepalive-*", null, COMPAT),
            Option.string("transport.socket.ssl-enabled", null, COMPAT),
            Option.string("auth-path", null, COMPAT),
            Option.string("auth.login.*", null, COMPAT));

    public static final XlatorType TYPE = new XlatorType("protocol/server", List.of(),
            "Serves the brick's subvolumes to protocol/client over TCP.", OPTIONS, ServerXlator::new);

    private final Map<String, AddressAuth> auth = new LinkedHashMap<>();
    private final Map<Gfid, InodeRef> inodes = new ConcurrentHashMap<>();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile EventLoopGroup bossGroup;
    private volatile EventLoopGroup ioGroup;
    private volatile Channel listener;
    private final AtomicLong nextClient = new AtomicLong();

    public ServerXlator(XlatorConfig config) {
        super(config);
        if (children().isEmpty()) {
            throw new IllegalArgumentException(this + " needs at least one subvolume to export");
        }
        for (Xlator c : children()) {
            auth.put(c.name(), new AddressAuth(options().raw().get("auth.addr." + c.name() + ".allow")));
        }
        for (String key : options().matching(AUTH_ALLOW).keySet()) {
            String sub = key.substring("auth.addr.".length(), key.length() - ".allow".length());
            if (!auth.containsKey(sub)) {
                log.warn("{}: option {} names no subvolume of this server (exported: {}); it has no effect",
                        this, key, exportedNames());
            }
        }
    }

    @Override
    public void notify(Event event, Xlator source) {
        super.notify(event, source);
        if (event == Event.PARENT_UP && listener == null) listen();
    }

    /** The port actually listened on (useful with port 0); -1 before listening. */
    public int boundPort() {
        Channel l = listener;
        return l == null ? -1 : ((InetSocketAddress) l.localAddress()).getPort();
    }

    private synchronized void listen() {
        if (listener != null) return;
        String host = options().get(BIND_ADDRESS);
        int port = options().get(LISTEN_PORT);
        bossGroup = Transport.newGroup(1, "brick-accept");
        ioGroup = Transport.newGroup(2, "brick-net");
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, ioGroup)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new RpcFrameDecoder(), new ServerConnection(ServerXlator.this));
                    }
                });
        try {
            listener = b.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) {
            shutdownThreads();
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            // epoll words it "bind(..) failed: Address already in use"
            reason = reason.replaceFirst("^bind\\(\\.\\.\\) failed: ", "");
            String message = "cannot listen on " + host + ":" + port + ": " + reason;
            throw new UncheckedIOException(message, e instanceof BindException be ? be : new BindException(reason));
        }
        log.info("{}: listening on {}:{} for {}", this, host, boundPort(), exportedNames());
    }

    @Override
    public void fini() {
        Channel l = listener;
        if (l != null) l.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownThreads();
        listener = null;
    }

    private void shutdownThreads() {
        if (bossGroup != null) bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (ioGroup != null) ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    // ---- for connections ----

    Xlator exported(String name) {
        for (Xlator c : children()) {
            if (c.name().equals(name)) return c;
        }
        return null;
    }

    String exportedNames() {
        return String.join(", ", auth.keySet());
    }

    AddressAuth auth(Xlator child) {
        return auth.get(child.name());
    }


    /** A name for a new connection, unique in this brick process. */
    String newClientKey() {
        return "conn-" + nextClient.incrementAndGet();
    }

    void connectionClosed(Channel ch) {
        log.debug("{}: connection from {} closed", this, ch.remoteAddress());
    }

    /** One Inode per gfid while fds are open on it, so that per-inode state (locks) is shared by all fds. */
    Fd newFd(Gfid gfid, int flags, int pid, String client) {
        Gfid key = gfid == null ? Gfid.NULL : gfid;
        InodeRef ref = inodes.compute(key, (k, r) -> {
            InodeRef v = r == null ? new InodeRef(new Inode(k, 0)) : r;
            v.fds++;
            return v;
        });
        return new Fd(ref.inode, flags, pid, client);
    }

    void fdClosed(Fd fd) {
        inodes.computeIfPresent(fd.gfid(), (k, r) -> --r.fds == 0 ? null : r);
    }

    private static final class InodeRef {
        final Inode inode;
        int fds;

        InodeRef(Inode inode) {
            this.inode = inode;
        }
    }
}
