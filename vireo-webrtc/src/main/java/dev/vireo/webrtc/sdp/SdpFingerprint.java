package dev.vireo.webrtc.sdp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code a=fingerprint} attribute, RFC 8122 §5: a hash function name and the certificate
 * fingerprint as upper-case hex byte pairs separated by colons.
 */
public record SdpFingerprint(String algorithm, byte[] value) {

    public SdpFingerprint {
        Objects.requireNonNull(algorithm, "algorithm");
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        value = value.clone();
        if (value.length == 0 || value.length > 64) {
            throw new IllegalArgumentException("fingerprint of " + value.length + " bytes");
        }
    }

    /** A sha-256 fingerprint (the one WebRTC uses). */
    public static SdpFingerprint sha256(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("sha-256 digest of " + digest.length + " bytes");
        }
        return new SdpFingerprint("sha-256", digest);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** Parses the attribute value {@code "sha-256 AB:CD:..."}. */
    public static SdpFingerprint parse(String attributeValue) {
        String[] parts = attributeValue.trim().split(" +");
        if (parts.length != 2) {
            throw new SdpException("a=fingerprint needs a hash function and a value: " + attributeValue);
        }
        String[] pairs = parts[1].split(":");
        if (pairs.length == 0 || pairs.length > 64) {
            throw new SdpException("a=fingerprint value too long");
        }
        byte[] bytes = new byte[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i].length() != 2) {
                throw new SdpException("a=fingerprint byte '" + pairs[i] + "' is not two hex digits");
            }
            try {
                bytes[i] = (byte) HexFormat.fromHexDigits(pairs[i]);
            } catch (IllegalArgumentException e) {
                throw new SdpException("a=fingerprint byte '" + pairs[i] + "' is not hex");
            }
        }
        return new SdpFingerprint(parts[0], bytes);
    }

    /** The attribute value, e.g. {@code sha-256 2E:05:...}. */
    public String sdpValue() {
        return algorithm + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdpFingerprint f && algorithm.equals(f.algorithm) && Arrays.equals(value, f.value);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return sdpValue();
    }
}
