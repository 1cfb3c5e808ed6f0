package dev.vireo.http.hls;

import dev.vireo.core.StreamKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived session tokens for the segment, part and init URLs of a playlist. The playlist
 * request itself was admitted by the gate (URL signing, domains); the token proves that a later
 * request for the same stream comes from such a playlist, without keeping any per-viewer state and
 * without the domain's signing key ever appearing in a playlist.
 *
 * <pre>
 * token = base64url(vhost) "." sid "." expires "." base64url(HMAC-SHA256(secret, vhost/app/stream|sid|expires)[0..16])
 * sid   = base64url(HMAC-SHA256(secret, "sid" | stream key | client address | auth_key)[0..6])
 * </pre>
 * The sid is the same for every playlist a viewer loads (same address, same signed URL), so
 * distinct sids count viewers. The secret is the server's (random per process unless given).
 * Pure: the time is given.
 */
final class SessionTokens {

    /** Longest token accepted (a real one is well under 200 characters). */
    static final int MAX_LENGTH = 400;
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec secret;
    private final long ttlSeconds;

    /** The outcome of a check: the stream the token opens, or why not. */
    sealed interface Check permits Valid, Refused {
    }

    record Valid(StreamKey key, String sid) implements Check {
    }

    record Refused(String reason) implements Check {
    }

    SessionTokens(byte[] secret, long ttlSeconds) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("token secret too short");
        }
        if (ttlSeconds < 1) {
            throw new IllegalArgumentException("token lifetime must be positive");
        }
        this.secret = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.ttlSeconds = ttlSeconds;
    }

    long ttlSeconds() {
        return ttlSeconds;
    }

    /** The session id of a viewer: from what the gate checked (stream, address, auth_key). */
    String sessionId(StreamKey key, String clientAddress, String authKey) {
        byte[] mac = mac("sid|" + key + "|" + clientAddress + "|" + (authKey == null ? "" : authKey));
        return B64.encodeToString(Arrays.copyOf(mac, 6));
    }

    /** A token for {@code key} valid until {@code nowSeconds} + the lifetime. */
    String mint(StreamKey key, String sid, long nowSeconds) {
        long expires = nowSeconds + ttlSeconds;
        String vhost = B64.encodeToString(key.vhost().getBytes(StandardCharsets.UTF_8));
        return vhost + "." + sid + "." + expires + "." + B64.encodeToString(
                Arrays.copyOf(mac(signed(key, sid, expires)), MAC_BYTES));
    }

    /** Checks a token for a request on {@code /app/stream/...}, in constant time for the MAC. */
    Check check(String token, String app, String stream, long nowSeconds) {
        if (token == null || token.isEmpty()) {
            return new Refused("missing session token: load the playlist first");
        }
        if (token.length() > MAX_LENGTH) {
            return new Refused("malformed session token");
        }
        String[] f = token.split("\\.", -1);
        if (f.length != 4 || f[2].isEmpty() || f[2].length() > 12 || !f[2].chars().allMatch(Character::isDigit)) {
            return new Refused("malformed session token");
        }
        StreamKey key;
        byte[] given;
        try {
            key = new StreamKey(new String(B64D.decode(f[0]), StandardCharsets.UTF_8), app, stream);
            given = B64D.decode(f[3]);
        } catch (IllegalArgumentException e) {
            return new Refused("malformed session token");
        }
        long expires = Long.parseLong(f[2]);
        byte[] expected = Arrays.copyOf(mac(signed(key, f[1], expires)), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, given)) {
            return new Refused("invalid session token");
        }
        if (nowSeconds > expires) {
            return new Refused("session token expired: reload the playlist");
        }
        return new Valid(key, f[1]);
    }

    private static String signed(StreamKey key, String sid, long expires) {
        return key.vhost() + "/" + key.app() + "/" + key.stream() + "|" + sid + "|" + expires;
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }
}
