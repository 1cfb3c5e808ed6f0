package dev.vireo.webrtc.sdp;

/** The {@code a=setup} attribute, RFC 4145 §4 as used for DTLS by RFC 8842 §5. */
public enum SetupRole {
    /** Will initiate the connection: the DTLS client. */
    ACTIVE,
    /** Will accept the connection: the DTLS server. */
    PASSIVE,
    /** Either; only in offers (RFC 8842 §5.2). */
    ACTPASS,
    HOLDCONN;

    public String sdp() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static SetupRole of(String value) {
        for (SetupRole r : values()) {
            if (r.sdp().equals(value)) {
                return r;
            }
        }
        throw new SdpException("unknown a=setup value " + value);
    }
}
