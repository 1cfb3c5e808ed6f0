package dev.vireo.webrtc.srtp;

import dev.vireo.media.MediaFormatException;

/**
 * A packet that SRTP/SRTCP refuses: malformed, failing authentication, replayed or too old
 * (RFC 3711 §3.3, §3.4). The only exception {@code unprotect*} and {@code protect*} throw on bad
 * input. It carries no stack trace, because a peer can cause it once per packet.
 */
public class SrtpException extends MediaFormatException {

    public SrtpException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
