package dev.vireo.webrtc.srtp;

import java.util.Arrays;

/**
 * The SRTP master keys and salts exported from a DTLS handshake, RFC 5764 §4.2: the exporter
 * (label "EXTRACTOR-dtls_srtp", RFC 5705) yields {@code client key | server key | client salt |
 * server salt}. Each side protects what it sends with its own write key: the DTLS server with the
 * server key and salt, the client with the client ones.
 */
public final class SrtpKeyingMaterial {

    /** The RFC 5705 exporter label of DTLS-SRTP (RFC 5764 §4.2). */
    public static final String EXPORTER_LABEL = "EXTRACTOR-dtls_srtp";

    private final SrtpProfile profile;
    private final byte[] clientKey;
    private final byte[] serverKey;
    private final byte[] clientSalt;
    private final byte[] serverSalt;

    private SrtpKeyingMaterial(SrtpProfile profile, byte[] clientKey, byte[] serverKey, byte[] clientSalt,
                               byte[] serverSalt) {
        this.profile = profile;
        this.clientKey = clientKey;
        this.serverKey = serverKey;
        this.clientSalt = clientSalt;
        this.serverSalt = serverSalt;
    }

    /** How many bytes to ask the DTLS exporter for: 2 * (key length + salt length). */
    public static int exportLength(SrtpProfile profile) {
        return 2 * (profile.keyLength() + profile.saltLength());
    }

    /** Splits exported keying material (RFC 5764 §4.2). */
    public static SrtpKeyingMaterial split(SrtpProfile profile, byte[] exported) {
        if (exported.length != exportLength(profile)) {
            throw new IllegalArgumentException(profile + " needs " + exportLength(profile)
                    + " bytes of keying material, got " + exported.length);
        }
        int k = profile.keyLength();
        int s = profile.saltLength();
        return new SrtpKeyingMaterial(profile,
                Arrays.copyOfRange(exported, 0, k),
                Arrays.copyOfRange(exported, k, 2 * k),
                Arrays.copyOfRange(exported, 2 * k, 2 * k + s),
                Arrays.copyOfRange(exported, 2 * k + s, 2 * k + 2 * s));
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** The context that protects what this side sends: keyed with its own write key. */
    public SrtpContext outbound(boolean dtlsServer) {
        return dtlsServer ? new SrtpContext(profile, serverKey, serverSalt) : new SrtpContext(profile, clientKey, clientSalt);
    }

    /** The context that unprotects what the peer sends: keyed with the peer's write key. */
    public SrtpContext inbound(boolean dtlsServer) {
        return dtlsServer ? new SrtpContext(profile, clientKey, clientSalt) : new SrtpContext(profile, serverKey, serverSalt);
    }
}
