package dev.vireo.cluster.relay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge–response on the shared {@code cluster.secret} (HMAC-SHA256, RFC 2104): each
 * side sends a fresh 32-byte nonce and proves it knows the secret by a MAC over both nonces,
 * with a different label per direction so that one side's proof cannot be replayed as the
 * other's. The secret never crosses the wire nor reaches a log ({@link #toString()} hides it);
 * proofs are compared in constant time.
 *
 * <pre>
 * proofO = HMAC-SHA256(secret, "vireo-relay/1 origin" || nonceE || nonceO)   origin → edge
 * proofE = HMAC-SHA256(secret, "vireo-relay/1 edge"   || nonceE || nonceO)   edge → origin
 * </pre>
 */
public final class RelayAuth {

    private static final byte[] ORIGIN = "vireo-relay/1 origin".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EDGE = "vireo-relay/1 edge".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    /** @param secret the shared cluster secret, not empty */
    public RelayAuth(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the cluster secret is empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /**
     * Checks a {@code cluster.secret} setting: empty (relay off) or at least 16 characters. The
     * message never contains the value.
     */
    public static String checkSecret(String text) {
        if (!text.isEmpty() && text.length() < 16) {
            throw new IllegalArgumentException("must be at least 16 characters (or empty: relay off)");
        }
        return text;
    }

    public static byte[] nonce() {
        byte[] n = new byte[RelayMessage.NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** What the origin sends to prove it knows the secret. */
    public byte[] originProof(byte[] edgeNonce, byte[] originNonce) {
        return mac(ORIGIN, edgeNonce, originNonce);
    }

    /** What the edge sends to prove it knows the secret. */
    public byte[] edgeProof(byte[] edgeNonce, byte[] originNonce) {
        return mac(EDGE, edgeNonce, originNonce);
    }

    /** Constant-time comparison of a proof received with the one expected. */
    public static boolean matches(byte[] expected, byte[] given) {
        return MessageDigest.isEqual(expected, given);
    }

    private byte[] mac(byte[] label, byte[] edgeNonce, byte[] originNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(label);
            mac.update(edgeNonce);
            mac.update(originNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "RelayAuth[secret hidden]";
    }
}
