package dev.vireo.webrtc.sdp;

/** How well the chosen H.264 payload type fits the source stream. */
public enum H264Match {
    /** The offered profile is the source's profile. */
    EXACT,
    /** The offered profile's decoders can decode the source (e.g. constrained baseline sent as main). */
    COMPATIBLE,
    /**
     * Only packetization-mode=1 matched: the browser did not offer the source's profile (e.g. a
     * high-profile source when Chromium offers baseline and main). Most decoders cope; a
     * transcode to a compatible profile is the safe alternative.
     */
    MISMATCH
}
