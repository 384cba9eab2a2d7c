package org.glusterj.rpc;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Picks epoll when the native transport loads, else NIO; owns the process-wide client event loops. */
public final class Transport {
    private static final boolean EPOLL = Epoll.isAvailable();
    private static volatile EventLoopGroup clientGroup;

    private Transport() {
    }

    public static boolean isEpoll() {
        return EPOLL;
    }

    public static EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory tf = new DefaultThreadFactory(name, true);
        return EPOLL ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
    }

    /**
     * One small group of daemon threads serves every protocol/client of the process: a client
     * talks to a handful of bricks, and each connection stays on one thread.
     */
    public static EventLoopGroup clientGroup() {
        EventLoopGroup g = clientGroup;
        if (g == null) {
            synchronized (Transport.class) {
                g = clientGroup;
                if (g == null) {
                    g = newGroup(Math.min(2, Runtime.getRuntime().availableProcessors()), "rpc-client");
                    clientGroup = g;
                }
            }
        }
        return g;
    }

    /** Client sockets; epoll ones are close-on-exec (see {@link ChildProcessGuard}). */
    public static ChannelFactory<? extends SocketChannel> socketChannels() {
        return EPOLL ? ChildProcessGuard.epollSockets() : NioSocketChannel::new;
    }

    public static Class<? extends ServerSocketChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
