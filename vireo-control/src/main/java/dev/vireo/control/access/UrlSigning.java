package dev.vireo.control.access;

import dev.vireo.control.model.SigningConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * URL signing Type A (DESIGN.md "URL signing (Type A)"):
 * <pre>
 * auth_key = {timestamp}-{rand}-{uid}-{md5hash}
 * md5hash  = md5hex("{uri}-{timestamp}-{rand}-{uid}-{key}")
 * expires  = timestamp + validity period of the domain
 * </pre>
 * A URL is valid up to and including the second {@code timestamp + validity}; the first second after
 * it is refused. Primary and secondary key are equally valid and both are always checked, in
 * constant time, so the answer time does not tell which key (or how much of a hash) matched.
 *
 * <p>Refusal texts (the {@code X-Tengine-Error} header over HTTP, the status description over RTMP):
 * <ul>
 *   <li>{@code denied by req auth: missing auth_key} — a signed domain and no {@code auth_key};</li>
 *   <li>{@code denied by req auth: malformed auth_key} — not four '-'-separated fields with a
 *       decimal timestamp and a 32-hex-digit hash;</li>
 *   <li>{@code denied by req auth: expired timestamp=<given>} — checked first: an old URL is
 *       reported as expired whatever its hash;</li>
 *   <li>{@code denied by req auth: future timestamp=<given>} — more than the allowed skew (by
 *       default one validity period) ahead of the server's clock;</li>
 *   <li>{@code denied by req auth: invalid md5hash=<given>}.</li>
 * </ul>
 */
public final class UrlSigning {

    public static final String PREFIX = "denied by req auth: ";
    public static final String MISSING = PREFIX + "missing auth_key";
    public static final String MALFORMED = PREFIX + "malformed auth_key";
    /** A wrong hash: the one refusal that is a guess, counted per address ({@link AuthThrottle}). */
    static final String INVALID = PREFIX + "invalid md5hash=";

    private UrlSigning() {
    }

    /** The refusal reason for a request, or empty when it may pass; timestamps up to one validity period ahead pass. */
    public static Optional<String> refusal(SigningConfig signing, String uri, String query, long nowSeconds) {
        return refusal(signing, uri, query, nowSeconds, signing.validityMinutes() * 60L);
    }

    /**
     * The refusal reason for a request, or empty when it may pass.
     *
     * @param maxFutureSeconds how far ahead of now a timestamp may be (clock skew); further is
     *     refused with {@code denied by req auth: future timestamp=<given>} — a URL signed for
     *     year 9999 would otherwise never expire
     */
    static Optional<String> refusal(SigningConfig signing, String uri, String query, long nowSeconds,
                                    long maxFutureSeconds) {
        if (!signing.enabled()) {
            return Optional.empty();
        }
        String value = QueryString.first(query, "auth_key");
        if (value == null || value.isEmpty()) {
            return Optional.of(MISSING);
        }
        AuthKey key = AuthKey.parse(value);
        if (key == null) {
            return Optional.of(MALFORMED);
        }
        long expires = key.timestampSeconds() + signing.validityMinutes() * 60L;
        if (nowSeconds > expires) {
            return Optional.of(PREFIX + "expired timestamp=" + key.timestamp());
        }
        if (key.timestampSeconds() - nowSeconds > maxFutureSeconds) {
            return Optional.of(PREFIX + "future timestamp=" + key.timestamp());
        }
        byte[] given = key.md5hash().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        boolean ok = matches(given, uri, key, signing.primaryKey());
        // Both keys are always hashed and compared: no early exit that would time which one matched.
        ok |= matches(given, uri, key, signing.secondaryKey() == null ? signing.primaryKey() : signing.secondaryKey());
        return ok ? Optional.empty() : Optional.of(INVALID + key.md5hash());
    }

    private static boolean matches(byte[] given, String uri, AuthKey key, String secret) {
        byte[] expected = md5Hex(uri + "-" + key.timestamp() + "-" + key.rand() + "-" + key.uid() + "-" + secret)
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    /** The auth_key for {@code uri} signed with {@code secret}. */
    public static String authKey(String uri, long timestamp, String rand, String uid, String secret) {
        String hash = md5Hex(uri + "-" + timestamp + "-" + rand + "-" + uid + "-" + secret);
        return timestamp + "-" + rand + "-" + uid + "-" + hash;
    }

    public static String md5Hex(String s) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
