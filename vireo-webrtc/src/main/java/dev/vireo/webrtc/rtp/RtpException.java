package dev.vireo.webrtc.rtp;

import dev.vireo.media.MediaFormatException;

/**
 * Bytes that are not a valid RTP packet or payload (RFC 3550, RFC 6184, RFC 4588), or an access
 * unit that cannot be packetized. The only exception the parsers of this package throw on bad
 * input.
 */
public class RtpException extends MediaFormatException {

    public RtpException(String message) {
        super(message);
    }
}
