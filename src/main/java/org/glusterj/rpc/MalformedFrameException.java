package org.glusterj.rpc;

import io.netty.handler.codec.DecoderException;

/**
 * A frame that cannot be trusted: truncated, garbled, of an unknown version or procedure. The
 * connection that sent it is closed; other connections are not affected.
 */
public final class MalformedFrameException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }
}
