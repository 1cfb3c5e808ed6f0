package dev.vireo.webrtc.stun;

import dev.vireo.media.MediaFormatException;

/**
 * A datagram that claims to be STUN (RFC 8489) but is malformed, or a message that cannot be
 * built. The only exception the parsers of this package throw on bad input; the message says
 * what was wrong and is meant for the log.
 */
public class StunException extends MediaFormatException {

    public StunException(String message) {
        super(message);
    }
}
