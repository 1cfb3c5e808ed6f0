package dev.vireo.webrtc.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The server's DTLS identity: an ECDSA P-256 key pair and a self-signed certificate made at start.
 * WebRTC does not use certificate chains; the peer checks the certificate against the SDP
 * fingerprint instead (RFC 8827 §6.5, RFC 8122), so any self-signed certificate will do. The
 * private key never leaves this object.
 */
public final class DtlsCertificate {

    private static final Duration VALIDITY = Duration.ofDays(30);

    private final byte[] der;
    private final AsymmetricKeyParameter privateKey;
    private final CertificateFingerprint fingerprint;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey) {
        this.der = der;
        this.privateKey = privateKey;
        this.fingerprint = CertificateFingerprint.of("sha-256", der);
    }

    /** A fresh P-256 key and a self-signed certificate valid from a day ago for 30 days. */
    public static DtlsCertificate generate(SecureRandom random) {
        X9ECParameters curve = ECNamedCurveTable.getByName("secp256r1");
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(
                new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, curve), random));
        AsymmetricCipherKeyPair keys = generator.generateKeyPair();
        try {
            SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keys.getPublic());
            X500Name name = new X500Name("CN=vireo");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name,
                    new BigInteger(63, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, publicKey);
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            byte[] der = builder.build(new BcECContentSignerBuilder(signature, digest).build(keys.getPrivate()))
                    .getEncoded();
            return new DtlsCertificate(der, keys.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the DTLS certificate", e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the DTLS certificate", e);
        }
    }

    /** The {@code a=fingerprint:sha-256} value of this certificate. */
    public CertificateFingerprint fingerprint() {
        return fingerprint;
    }

    /** The DER-encoded certificate. */
    public byte[] encoded() {
        return der.clone();
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /**
     * This certificate and its key as the signing credentials of one handshake, on either side
     * (RFC 8827 §6.5: both endpoints present a certificate): ECDSA with SHA-256.
     */
    TlsCredentialedSigner signer(BcTlsCrypto crypto, TlsContext context) throws IOException {
        Certificate chain = new Certificate(new TlsCertificate[] {crypto.createCertificate(der)});
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey, chain,
                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}
