package dev.vireo.webrtc.sdp;

/** The H.264 profiles WebRTC distinguishes in profile-level-id (RFC 6184 §8.1, Table 5). */
public enum H264Profile {
    CONSTRAINED_BASELINE,
    BASELINE,
    MAIN,
    CONSTRAINED_HIGH,
    HIGH,
    PREDICTIVE_HIGH_444;

    /**
     * Whether a stream of this profile can be decoded by a decoder of {@code decoder}'s profile:
     * constrained baseline by every profile here, main by high decoders, constrained high by high
     * (the profile hierarchy of ITU-T H.264 Annex A.2).
     */
    public boolean decodableBy(H264Profile decoder) {
        if (decoder == this) {
            return true;
        }
        return switch (this) {
            case CONSTRAINED_BASELINE -> true;
            case MAIN, CONSTRAINED_HIGH -> decoder == HIGH || decoder == PREDICTIVE_HIGH_444;
            case HIGH -> decoder == PREDICTIVE_HIGH_444;
            case BASELINE, PREDICTIVE_HIGH_444 -> false;
        };
    }
}
