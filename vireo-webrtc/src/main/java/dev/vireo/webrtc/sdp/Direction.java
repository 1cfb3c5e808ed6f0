package dev.vireo.webrtc.sdp;

import java.util.Optional;

/** The media direction attributes, RFC 8866 §6.7, from the point of view of the SDP's author. */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    /** The attribute name. */
    public String sdp() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the author of the SDP wants to receive media. */
    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    /** Whether the author of the SDP wants to send media. */
    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    static Optional<Direction> of(String attribute) {
        for (Direction d : values()) {
            if (d.sdp().equals(attribute)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
