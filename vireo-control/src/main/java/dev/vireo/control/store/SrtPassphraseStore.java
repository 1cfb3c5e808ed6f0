package dev.vireo.control.store;

import dev.vireo.control.model.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * SRT passphrases of ingest domains: one row per domain that has one. Secrets: libsrt needs them
 * to derive the encryption key, so they are stored sealed with the store key ({@link StoreSecrets}),
 * never logged nor returned by the API.
 */
public final class SrtPassphraseStore {

    /** libsrt's bounds for {@code SRTO_PASSPHRASE}; printable ASCII so it fits in a URL query. */
    private static final Pattern PASSPHRASE = Pattern.compile("[\\x21-\\x7e]{10,79}");

    private SrtPassphraseStore() {
    }

    /** @throws ApiException InvalidParameter.Passphrase when it is not 10 to 79 printable characters */
    public static String check(String passphrase) {
        if (passphrase == null || !PASSPHRASE.matcher(passphrase).matches()) {
            // the value itself stays out of the message: it is a secret
            throw ApiException.badRequest("InvalidParameter.Passphrase",
                    "passphrase must be 10 to 79 printable ASCII characters without spaces");
        }
        return passphrase;
    }

    public static void put(Connection c, String domain, String passphrase, Instant now) throws SQLException {
        remove(c, domain);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO srt_passphrases (domain, passphrase, updated_at) VALUES (?, ?, ?)")) {
            ps.setString(1, domain);
            ps.setString(2, StoreSecrets.seal("srt_passphrases", "passphrase", domain, passphrase));
            ps.setLong(3, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static boolean remove(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM srt_passphrases WHERE domain = ?")) {
            ps.setString(1, domain);
            return ps.executeUpdate() > 0;
        }
    }

    /** Every domain's passphrase, by domain. */
    static Map<String, String> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT domain, passphrase FROM srt_passphrases");
             ResultSet rs = ps.executeQuery()) {
            Map<String, String> out = new HashMap<>();
            while (rs.next()) {
                String domain = rs.getString(1);
                out.put(domain, StoreSecrets.open("srt_passphrases", "passphrase", domain, rs.getString(2)));
            }
            return out;
        }
    }
}
