package dev.vireo.webrtc.dtls;

import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import dev.vireo.webrtc.srtp.SrtpProfile;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The client side of DTLS-SRTP (RFC 5764) as a browser plays it against an ICE-lite server that
 * answers {@code a=setup:passive}: DTLS 1.2 only, offers the {@code use_srtp} extension (RFC 5764
 * §4.1.1) with the given protection profiles, presents its own self-signed certificate, pins the
 * server's certificate to the {@code a=fingerprint} of the answer (RFC 8122 §5) and exports the
 * SRTP master keys and salts ("EXTRACTOR-dtls_srtp", RFC 5764 §4.2).
 *
 * <p>Not used by the server itself (which is always the DTLS server): it is the peer of the
 * transport tests and of the WHEP load generator in {@code vireo-bench}. {@link #connect} blocks
 * the calling thread for the handshake; one instance serves one handshake.
 */
public final class DtlsSrtpClient extends DefaultTlsClient {

    /** The client's side of an established association. */
    public record Connected(DTLSTransport dtls, SrtpKeyingMaterial keys) {
    }

    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final int[] profiles;
    private final CertificateFingerprint serverFingerprint;
    // package-private: the handshake tests compare it with the server's export
    volatile byte[] exported;
    private volatile int selectedProfile = -1;

    /**
     * @param random            for the handshake (client random, ECDHE key)
     * @param certificate       what the client presents (its fingerprint goes in the offer)
     * @param serverFingerprint the answer's {@code a=fingerprint}; any other certificate fails the handshake
     * @param profiles          SRTP protection profiles to offer, preferred first ({@code SRTPProtectionProfile})
     */
    public DtlsSrtpClient(SecureRandom random, DtlsCertificate certificate, CertificateFingerprint serverFingerprint,
                          int... profiles) {
        super(new BcTlsCrypto(random));
        this.crypto = (BcTlsCrypto) getCrypto();
        this.certificate = certificate;
        this.profiles = profiles;
        this.serverFingerprint = serverFingerprint;
    }

    /**
     * Runs the handshake over {@code transport} (blocking, with BouncyCastle's retransmission
     * timers) and returns the keys; the returned {@link DTLSTransport} stays open so that closing
     * it later sends close_notify.
     */
    public Connected connect(DatagramTransport transport) throws IOException {
        DTLSTransport dtls = new DTLSClientProtocol().connect(this, transport);
        SrtpProfile profile = SrtpProfile.ofId(selectedProfile).orElseThrow();
        return new Connected(dtls, SrtpKeyingMaterial.split(profile, exported));
    }

    /**
     * The whole handshake must finish within 10 s (the server's default too): without a bound
     * BouncyCastle retransmits forever to a server that has given up, and the calling thread
     * never returns.
     */
    @Override
    public int getHandshakeTimeoutMillis() {
        return HANDSHAKE_TIMEOUT_MILLIS;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable ext = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
        TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(profiles, TlsUtils.EMPTY_BYTES));
        return ext;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        selectedProfile = TlsSRTPUtils.getUseSRTPExtension(serverExtensions).getProtectionProfiles()[0];
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                if (!serverFingerprint.matches(serverCertificate.getCertificate().getCertificateAt(0).getEncoded())) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate);
                }
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                return certificate.signer(crypto, context);
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        exported = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                SrtpKeyingMaterial.exportLength(SrtpProfile.ofId(selectedProfile).orElseThrow()));
    }
}
