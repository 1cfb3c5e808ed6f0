package dev.vireo.control.tls;

import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.CertificateBundle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reading and checking an uploaded certificate: PEM chain (leaf first) and PEM private key in any
 * common form (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY"; not
 * encrypted). Checks: the key belongs to the leaf, the leaf is valid now, and it covers the domain
 * by a DNS subject alternative name (one-label wildcard allowed, RFC 6125 §6.4.3) or, only when it
 * has no DNS names, its common name.
 */
public final class CertificatePem {

    static final int MAX_CHAIN = 10;

    private CertificatePem() {
    }

    /** Parses and validates; {@code now} decides expiry. */
    public static CertificateBundle validate(String domain, String certificatePem, String privateKeyPem, Instant now) {
        CertificateBundle bundle = parse(domain, certificatePem, privateKeyPem);
        X509Certificate leaf = bundle.leaf();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw invalid("Expired", "the certificate expired at " + leaf.getNotAfter().toInstant());
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw invalid("NotYetValid", "the certificate is valid only from " + leaf.getNotBefore().toInstant());
        }
        if (!covers(leaf, domain)) {
            throw invalid("DomainMismatch", "the certificate does not cover " + domain + " (names: "
                    + String.join(", ", names(leaf)) + ")");
        }
        return bundle;
    }

    /** Parses without the time and name checks (for loading what was validated on upload). */
    public static CertificateBundle parse(String domain, String certificatePem, String privateKeyPem) {
        if (certificatePem == null || certificatePem.isBlank()) {
            throw ApiException.badRequest("MissingParameter", "certificate is required (PEM)");
        }
        if (privateKeyPem == null || privateKeyPem.isBlank()) {
            throw ApiException.badRequest("MissingParameter", "privateKey is required (PEM)");
        }
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKey key = privateKey(privateKeyPem);
        if (!matches(key, chain.getFirst().getPublicKey())) {
            throw invalid("KeyMismatch", "the private key does not belong to the first certificate");
        }
        return new CertificateBundle(domain, chain, key, chain.getFirst().getNotAfter().toInstant());
    }

    private static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Object o;
            while ((o = parser.readObject()) != null) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw invalid("Malformed", "certificate must contain only CERTIFICATE blocks");
                }
                if (chain.size() == MAX_CHAIN) {
                    throw invalid("Malformed", "more than " + MAX_CHAIN + " certificates in the chain");
                }
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw invalid("Malformed", "certificate is not a readable PEM certificate chain");
        }
        if (chain.isEmpty()) {
            throw invalid("Malformed", "certificate contains no PEM certificate");
        }
        return chain;
    }

    private static PrivateKey privateKey(String pem) {
        Object o;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            o = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw invalid("Malformed", "privateKey is not a readable PEM private key");
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw invalid("EncryptedKey", "privateKey is encrypted; upload it without a passphrase");
        }
        PrivateKeyInfo info = switch (o) {
            case PEMKeyPair pair -> pair.getPrivateKeyInfo();
            case PrivateKeyInfo pki -> pki;
            case null, default -> throw invalid("Malformed", "privateKey contains no PEM private key");
        };
        String algorithm = switch (info.getPrivateKeyAlgorithm().getAlgorithm().getId()) {
            case "1.2.840.113549.1.1.1" -> "RSA";
            case "1.2.840.10045.2.1" -> "EC";
            case "1.3.101.112" -> "Ed25519";
            case "1.3.101.113" -> "Ed448";
            default -> throw invalid("UnsupportedKey", "privateKey must be an RSA, EC, Ed25519 or Ed448 key");
        };
        try {
            if (algorithm.equals("EC")) {
                info = withCurve(info);
            }
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw invalid("Malformed", "privateKey cannot be read as an " + algorithm + " key");
        }
    }

    /**
     * A SEC1 key ("EC PRIVATE KEY") names its curve inside the key, but the JDK reads the curve only
     * from the PKCS#8 algorithm identifier: move it there.
     */
    private static PrivateKeyInfo withCurve(PrivateKeyInfo info) throws IOException {
        ASN1Encodable params = info.getPrivateKeyAlgorithm().getParameters();
        if (params != null && !(params instanceof ASN1Null)) {
            return info;
        }
        ECPrivateKey sec1 = ECPrivateKey.getInstance(info.parsePrivateKey());
        if (sec1.getParametersObject() == null) {
            throw invalid("Malformed", "the EC privateKey does not name its curve");
        }
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, sec1.getParametersObject()),
                sec1);
    }

    /** Proves possession: a signature made with the key verifies with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null || !pub.getAlgorithm().equals(key.getAlgorithm())
                && !(pub.getAlgorithm().startsWith("Ed") && key.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(challenge);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean covers(X509Certificate cert, String domain) {
        for (String name : names(cert)) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals(domain)) {
                return true;
            }
            if (n.startsWith("*.")) {
                int dot = domain.indexOf('.');
                if (dot > 0 && domain.substring(dot + 1).equals(n.substring(2))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** DNS subject alternative names, or the common name when there are none. */
    public static List<String> names(X509Certificate cert) {
        List<String> dns = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        dns.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (!dns.isEmpty()) {
            return dns;
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return List.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            return List.of();
        }
        return List.of();
    }

    private static ApiException invalid(String what, String message) {
        return ApiException.badRequest("InvalidCertificate." + what, message);
    }
}
