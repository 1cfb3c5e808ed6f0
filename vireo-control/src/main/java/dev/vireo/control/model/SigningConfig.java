package dev.vireo.control.model;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * URL signing (Type A) of one domain.
 *
 * @param enabled whether requests must carry a valid {@code auth_key}
 * @param primaryKey always set (generated on domain creation)
 * @param secondaryKey equally valid, for key rotation; null when unset
 * @param validityMinutes a URL is valid until {@code timestamp + validity}; at least 1
 */
public record SigningConfig(boolean enabled, String primaryKey, String secondaryKey, int validityMinutes) {

    public static final int MIN_VALIDITY_MINUTES = 1;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]{6,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public SigningConfig {
        if (primaryKey == null || primaryKey.isEmpty()) {
            throw new IllegalArgumentException("primary key required");
        }
        if (validityMinutes < MIN_VALIDITY_MINUTES) {
            throw new IllegalArgumentException("validity must be at least 1 minute");
        }
    }

    /** Signing on, a fresh random primary key, no secondary key: a new domain's setting. */
    public static SigningConfig fresh(int validityMinutes) {
        return new SigningConfig(true, randomKey(), null, validityMinutes);
    }

    /** 128 random bits as 32 hex digits. */
    public static String randomKey() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** @throws ApiException InvalidParameter when the key has the wrong shape */
    public static String checkKey(String what, String key) {
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest("InvalidParameter", what + " must be 6 to 128 letters or digits");
        }
        return key;
    }

    @Override
    public String toString() {
        // Keys are secrets: never in logs or exception messages.
        return "SigningConfig[enabled=" + enabled + ", validityMinutes=" + validityMinutes + "]";
    }
}
