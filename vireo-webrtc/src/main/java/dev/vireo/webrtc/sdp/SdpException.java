package dev.vireo.webrtc.sdp;

import dev.vireo.media.MediaFormatException;

/**
 * A session description that is malformed, too large, or that cannot be answered (RFC 8866,
 * RFC 3264). The only exception the parser and the answer builder throw on bad input; the
 * message is meant for the log and for the WHEP error response.
 */
public class SdpException extends MediaFormatException {

    public SdpException(String message) {
        super(message);
    }
}
