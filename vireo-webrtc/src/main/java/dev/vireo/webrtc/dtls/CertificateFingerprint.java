package dev.vireo.webrtc.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A certificate fingerprint as carried by the SDP {@code a=fingerprint} attribute (RFC 8122 §5):
 * a hash function name from the IANA "Hash Function Textual Names" registry and the hash of the
 * DER-encoded certificate, written as upper-case hex pairs separated by colons.
 *
 * @param hashFunction lower-case textual name, e.g. {@code sha-256}
 * @param value the hash bytes
 */
public record CertificateFingerprint(String hashFunction, byte[] value) {

    /** Textual names (RFC 8122 §5, RFC 4572) → JDK digest names. MD2/MD5 are not accepted. */
    private static final Map<String, String> DIGESTS = Map.of(
            "sha-1", "SHA-1",
            "sha-224", "SHA-224",
            "sha-256", "SHA-256",
            "sha-384", "SHA-384",
            "sha-512", "SHA-512");

    public CertificateFingerprint {
        Objects.requireNonNull(hashFunction, "hashFunction");
        hashFunction = hashFunction.toLowerCase(Locale.ROOT);
        if (!DIGESTS.containsKey(hashFunction)) {
            throw new IllegalArgumentException("unsupported fingerprint hash function " + hashFunction);
        }
        value = value.clone();
        if (value.length != digestLength(hashFunction)) {
            throw new IllegalArgumentException(hashFunction + " fingerprint must have "
                    + digestLength(hashFunction) + " bytes, not " + value.length);
        }
    }

    /**
     * Parses the attribute value, {@code "sha-256 AB:CD:..."}.
     *
     * @throws IllegalArgumentException when it is not a fingerprint of a supported hash function
     */
    public static CertificateFingerprint parse(String attributeValue) {
        String v = attributeValue.trim();
        int space = v.indexOf(' ');
        if (space <= 0) {
            throw new IllegalArgumentException("fingerprint must be '<hash-func> <hex pairs>'");
        }
        String hash = v.substring(0, space);
        String hex = v.substring(space + 1).trim();
        byte[] bytes;
        try {
            bytes = HexFormat.ofDelimiter(":").parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fingerprint is not colon-separated hex pairs");
        }
        return new CertificateFingerprint(hash, bytes);
    }

    /** The fingerprint of a DER-encoded certificate. */
    public static CertificateFingerprint of(String hashFunction, byte[] derCertificate) {
        return new CertificateFingerprint(hashFunction, digest(hashFunction, derCertificate));
    }

    /** Whether this fingerprint is the hash of {@code derCertificate} (constant time compare). */
    public boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(value, digest(hashFunction, derCertificate));
    }

    /** The attribute value, {@code "sha-256 AB:CD:..."}. */
    public String toSdpValue() {
        return hashFunction + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(value);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateFingerprint f && f.hashFunction.equals(hashFunction)
                && MessageDigest.isEqual(f.value, value);
    }

    @Override
    public int hashCode() {
        return hashFunction.hashCode() * 31 + java.util.Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return toSdpValue();
    }

    private static int digestLength(String hashFunction) {
        return messageDigest(hashFunction).getDigestLength();
    }

    private static byte[] digest(String hashFunction, byte[] data) {
        return messageDigest(hashFunction.toLowerCase(Locale.ROOT)).digest(data);
    }

    private static MessageDigest messageDigest(String hashFunction) {
        String name = DIGESTS.get(hashFunction);
        if (name == null) {
            throw new IllegalArgumentException("unsupported fingerprint hash function " + hashFunction);
        }
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is missing from the JDK", e);
        }
    }
}
