package dev.vireo.rtmp;

/**
 * A violation of the RTMP protocol by the peer (bad handshake, malformed chunk, a limit exceeded,
 * garbage in a command). The message is the reason string logged when the connection is closed;
 * it is the only exception type the codecs of this module throw for bad input.
 */
public final class RtmpProtocolException extends RuntimeException {

    public RtmpProtocolException(String reason) {
        super(reason, null, false, false);
    }

    public RtmpProtocolException(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }

    /** The reason, for logs and for the peer. */
    public String reason() {
        return getMessage();
    }
}
