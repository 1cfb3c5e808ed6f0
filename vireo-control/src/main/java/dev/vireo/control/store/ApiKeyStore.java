package dev.vireo.control.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An account's API keys as the API shows them: an id, the label, when made and last used; never
 * the key, never its whole hash. The id is the first {@link #ID_LENGTH} hex digits of the key's
 * SHA-256 (64 bits of a hash of 256 random bits: it tells nothing about the key).
 */
public final class ApiKeyStore {

    public static final int ID_LENGTH = 16;

    /** One key of an account. {@code lastUsedAt} is null when the key was never used (or not since V5). */
    public record KeyInfo(String id, String label, Instant createdAt, Instant lastUsedAt) {
    }

    private ApiKeyStore() {
    }

    public static String idOf(String keyHashHex) {
        return keyHashHex.substring(0, ID_LENGTH);
    }

    public static List<KeyInfo> list(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT key_hash, label, created_at, last_used_at FROM api_keys WHERE account_id = ? ORDER BY created_at, key_hash")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                List<KeyInfo> out = new ArrayList<>();
                while (rs.next()) {
                    long used = rs.getLong(4);
                    out.add(new KeyInfo(idOf(rs.getString(1).trim()), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                            rs.wasNull() ? null : Instant.ofEpochMilli(used)));
                }
                return out;
            }
        }
    }

    /** Deletes the account's key with this id; false when it has none. */
    public static boolean delete(Connection c, long accountId, String id) throws SQLException {
        if (id.length() != ID_LENGTH || !id.chars().allMatch(ch -> ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f')) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM api_keys WHERE account_id = ? AND key_hash LIKE ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, id + "%");
            return ps.executeUpdate() > 0;
        }
    }

    public static void touch(Connection c, String keyHashHex, Instant when) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE key_hash = ?")) {
            ps.setLong(1, when.toEpochMilli());
            ps.setString(2, keyHashHex);
            ps.executeUpdate();
        }
    }
}
