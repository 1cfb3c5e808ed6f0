package dev.vireo.control.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A store as Vireo left it before secrets were encrypted (schema version 6): the migrations V1..V6
 * and a domain whose secrets are in clear, for the V7 migration's tests (H2 and PostgreSQL).
 */
public final class V6Store {

    private V6Store() {
    }

    /** Creates the V6 schema and an admin account on an empty database. */
    public static void build(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_version (version INT PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
            for (Migrations.Migration m : Migrations.ALL) {
                if (m.version() > 6) {
                    break;
                }
                for (String sql : Migrations.statements(m)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version VALUES (" + m.version() + ", '" + m.name() + "', 0)");
            }
            s.execute("INSERT INTO accounts (name, admin, created_at) VALUES ('admin', TRUE, 0)");
        }
    }

    /** An ingest domain with clear signing keys, webhook and SRT passphrase, as V6 stored them. */
    public static void clearDomain(Connection c, String name, String primary, String secondary, String notifyUrl,
                                   String notifySecret, String srtPassphrase) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO domains (name, account_id, type, region, "
                + "live_center, cname, cname_status, status, rts_enabled, html5_transcoding, stream_limit, "
                + "signing_enabled, signing_primary_key, signing_secondary_key, signing_validity_minutes, notify_url, "
                + "notify_secret, notify_publish_auth, created_at, updated_at) VALUES (?, (SELECT MIN(id) FROM accounts), "
                + "'ingest', 'r', 'r', 'c', 'unchecked', 'online', TRUE, TRUE, 300, TRUE, ?, ?, 1440, ?, ?, FALSE, 0, 0)")) {
            ps.setString(1, name);
            ps.setString(2, primary);
            ps.setString(3, secondary);
            ps.setString(4, notifyUrl);
            ps.setString(5, notifySecret);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO srt_passphrases (domain, passphrase, updated_at) VALUES (?, ?, 0)")) {
            ps.setString(1, name);
            ps.setString(2, srtPassphrase);
            ps.executeUpdate();
        }
    }

    /** A clear certificate row (V6 kept the private key as uploaded). */
    public static void clearCertificate(Connection c, String domain, String certificatePem, String privateKeyPem)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificates (domain, certificate_pem, "
                + "private_key_pem, not_after, uploaded_at) VALUES (?, ?, ?, ?, 0)")) {
            ps.setString(1, domain);
            ps.setString(2, certificatePem);
            ps.setString(3, privateKeyPem);
            ps.setLong(4, System.currentTimeMillis() + 86_400_000L);
            ps.executeUpdate();
        }
    }

    /** The stored (raw) value of a column of one row. */
    public static String raw(Connection c, String table, String column, String idColumn, String id)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + column + " FROM " + table + " WHERE " + idColumn + " = ?")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The embedded store's JDBC URL under {@code dataDir} (for building its V6 state). */
    public static String h2Url(java.nio.file.Path dataDir) {
        return Database.embeddedUrl(dataDir);
    }
}
