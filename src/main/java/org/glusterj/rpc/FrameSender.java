package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Sends a connection's frames whole and in order, from whichever thread has one: straight to the
 * socket while it takes them ({@link DirectSocketWriter}), through the event loop while it is full.
 * Every frame of the channel must go through here: a frame Netty still holds part of must reach
 * the wire before anything written directly.
 */
public final class FrameSender {
    private final Channel channel;
    private DirectSocketWriter direct;
    /** Frames handed to Netty and not yet written out; while any are, later frames follow them there. */
    private int queued;

    public FrameSender(Channel channel) {
        this.channel = channel;
    }

    /** Call once the channel is active. */
    public synchronized void open() {
        if (direct == null) direct = DirectSocketWriter.of(channel);
    }

    /** Call once the channel is inactive: the socket closes when Netty's descriptor and ours are both closed. */
    public synchronized void close() {
        if (direct != null) direct.close();
        direct = null;
    }

    /** Sends {@code frame} (and releases it); {@code onFailure} hears of a frame that could not be sent. */
    public void send(ByteBuf frame, Consumer<Throwable> onFailure) {
        send(frame, onFailure, false);
    }

    /** Sends {@code frame}, then closes the channel (e.g. a refused handshake's answer). */
    public void sendAndClose(ByteBuf frame) {
        send(frame, err -> { }, true);
    }

    private synchronized void send(ByteBuf frame, Consumer<Throwable> onFailure, boolean thenClose) {
        if (direct != null && queued == 0) {
            try {
                frame = direct.write(frame);
            } catch (IOException e) {
                frame.release();
                onFailure.accept(e);
                channel.close();
                return;
            }
            if (frame == null) {
                if (thenClose) channel.close();
                return;
            }
        }
        queued++;
        channel.writeAndFlush(frame).addListener(f -> {
            synchronized (this) {
                queued--;
            }
            if (!f.isSuccess()) onFailure.accept(f.cause());
            if (thenClose) channel.close();
        });
    }
}
