package dev.vireo.control.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens the store's secret values (signing keys, webhook secrets, SRT passphrases, TLS
 * private keys) with the store key: AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce per
 * value and a 128-bit tag, the value's place — {@code table.column} and the row's id — as associated
 * data, so a sealed value copied into another row or column does not open. A sealed value is text:
 * {@code v1:} + Base64(nonce ‖ ciphertext ‖ tag); the version prefix names the scheme and key
 * generation, so a later one can be told apart (key rotation re-seals every value). No I/O: the key
 * comes from {@link StoreKey}.
 */
public final class SecretCodec {

    /** The prefix of values sealed by this scheme. */
    public static final String V1 = "v1:";
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random;

    /** @param key the 32 bytes of the store key (copied) */
    public SecretCodec(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the store key has " + KEY_BYTES + " bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.keyId = keyId(key);
        this.random = new SecureRandom();
    }

    /**
     * A short public name of the key (16 hex digits of an HMAC-SHA256 under it): equal on nodes with
     * the same key, different otherwise; it reveals nothing about the key. For error messages and logs.
     */
    public String keyId() {
        return keyId;
    }

    /** Seals {@code plain} for the row {@code rowId} of {@code table.column}; null stays null. */
    public String seal(String table, String column, String rowId, String plain) {
        if (plain == null) {
            return null;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(place(table, column, rowId));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return V1 + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * Opens a value of the row {@code rowId} of {@code table.column}; null stays null.
     *
     * @throws SecretException when it is not a sealed value, or does not open with this key for this
     *     place (another key, another row or column, or altered); the message names the place and
     *     never the value
     */
    public String open(String table, String column, String rowId, String stored) {
        if (stored == null) {
            return null;
        }
        if (!isSealed(stored)) {
            throw new SecretException(table + "." + column + " of " + rowId + " is not encrypted (a clear value in the"
                    + " store: written by hand?)");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(stored.substring(V1.length()));
        } catch (IllegalArgumentException e) {
            throw new SecretException(table + "." + column + " of " + rowId + " is damaged (not Base64)");
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretException(table + "." + column + " of " + rowId + " is damaged (too short)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(place(table, column, rowId));
            return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new SecretException(table + "." + column + " of " + rowId + " does not decrypt with the store key "
                    + keyId + " (another node's key, or the value was moved or altered)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** Whether {@code stored} has the form of a sealed value (it may still not open). */
    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(V1);
    }

    /** The associated data: where the value lives, so it opens only there. */
    private static byte[] place(String table, String column, String rowId) {
        return (table + "." + column + "\u0000" + rowId).getBytes(StandardCharsets.UTF_8);
    }

    private static String keyId(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] id = mac.doFinal("vireo store key id".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(id, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JDK", e);
        }
    }

    /** Constant-time comparison of two key ids (they are public, but cheap to do right). */
    static boolean sameKeyId(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "SecretCodec[key " + keyId + "]";
    }

    /** A stored secret that cannot be opened: the wrong key, or a damaged or moved value. */
    public static final class SecretException extends RuntimeException {
        public SecretException(String message) {
            super(message);
        }
    }
}
