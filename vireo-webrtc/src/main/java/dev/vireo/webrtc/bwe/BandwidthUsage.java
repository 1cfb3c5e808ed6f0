package dev.vireo.webrtc.bwe;

/** The overuse detector's signal, draft-ietf-rmcat-gcc-02 §5.4. */
public enum BandwidthUsage {
    NORMAL, OVERUSING, UNDERUSING
}
