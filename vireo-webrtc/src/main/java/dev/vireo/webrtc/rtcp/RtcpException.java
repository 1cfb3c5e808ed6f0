package dev.vireo.webrtc.rtcp;

import dev.vireo.media.MediaFormatException;

/** A malformed RTCP packet (RFC 3550 §6, RFC 4585 §6, RFC 5104 §4.3). The only exception the parser throws on bad input. */
public class RtcpException extends MediaFormatException {

    public RtcpException(String message) {
        super(message);
    }
}
