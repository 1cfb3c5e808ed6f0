package dev.vireo.webrtc.dtls;

import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import dev.vireo.webrtc.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The server side of one DTLS 1.2 handshake for WebRTC media (RFC 8827 §6.5, RFC 5764):
 * ECDHE-ECDSA suites with the server's self-signed certificate, a mandatory client certificate
 * that must match a fingerprint from the SDP offer (RFC 8122 §5), the {@code use_srtp} extension
 * (RFC 5764 §4.1) and, once the handshake is complete, the SRTP keying material exported with
 * the RFC 5705 exporter.
 */
final class DtlsSrtpServer extends DefaultTlsServer {

    /** Profiles in order of preference: AEAD first (RFC 7714 §14.2), then the mandatory one. */
    static final SrtpProfile[] PROFILES = {SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80};

    private static final int[] SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    };

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final List<CertificateFingerprint> expectedPeer;
    private final int handshakeTimeoutMillis;
    private SrtpProfile selectedProfile;
    private volatile SrtpKeyingMaterial keys;
    private volatile boolean peerClosed;

    DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate certificate, List<CertificateFingerprint> expectedPeer,
                   int handshakeTimeoutMillis) {
        super(crypto);
        if (expectedPeer.isEmpty()) {
            throw new IllegalArgumentException("the peer's certificate fingerprint is required");
        }
        this.crypto = crypto;
        this.certificate = certificate;
        this.expectedPeer = List.copyOf(expectedPeer);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** The keys, once {@link #notifyHandshakeComplete()} ran; null before. */
    SrtpKeyingMaterial keys() {
        return keys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return certificate.signer(crypto, context);
    }

    /** RFC 8827 §6.5: both endpoints present certificates; the client's is checked below. */
    @Override
    public CertificateRequest getCertificateRequest() {
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    /** RFC 8122 §5: the certificate must match a fingerprint from the offer, else the handshake fails. */
    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        if (clientCertificate == null || clientCertificate.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.certificate_required, "the peer sent no certificate");
        }
        byte[] der = clientCertificate.getCertificateAt(0).getEncoded();
        for (CertificateFingerprint f : expectedPeer) {
            if (f.matches(der)) {
                return;
            }
        }
        throw new TlsFatalAlert(AlertDescription.bad_certificate,
                "the peer's certificate does not match the fingerprint of the offer");
    }

    /** RFC 5764 §4.1.1: pick one profile the client offered; no common profile fails the handshake. */
    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offered == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "the client did not offer use_srtp");
        }
        for (SrtpProfile mine : PROFILES) {
            for (int theirs : offered.getProtectionProfiles()) {
                if (mine.id() == theirs) {
                    selectedProfile = mine;
                    return;
                }
            }
        }
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP protection profile");
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
        // RFC 5764 §4.1.1: the server answers with the one chosen profile and an empty MKI.
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {selectedProfile.id()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    /** Whether the peer sent close_notify or a fatal alert. */
    boolean peerClosed() {
        return peerClosed;
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        if (alertLevel == AlertLevel.fatal || alertDescription == AlertDescription.close_notify) {
            peerClosed = true;
        }
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        // RFC 5764 §4.2: 2 * (key + salt) bytes from the exporter, no context.
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                SrtpKeyingMaterial.exportLength(selectedProfile));
        keys = SrtpKeyingMaterial.split(selectedProfile, material);
        java.util.Arrays.fill(material, (byte) 0);
    }
}
