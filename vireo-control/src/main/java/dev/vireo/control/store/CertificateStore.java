package dev.vireo.control.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Uploaded TLS certificates (PEM text as uploaded, so a restart validates exactly the same bytes); the
 * private key sealed with the store key ({@link StoreSecrets}).
 */
public final class CertificateStore {

    /** One stored certificate. {@code privateKeyPem} is a secret: never logged or returned by the API. */
    public record Row(String domain, String certificatePem, String privateKeyPem, Instant notAfter, Instant uploadedAt) {
        @Override
        public String toString() {
            return "Row[" + domain + ", notAfter=" + notAfter + "]";
        }
    }

    private CertificateStore() {
    }

    public static void put(Connection c, Row row) throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM certificates WHERE domain = ?")) {
            del.setString(1, row.domain());
            del.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificates (domain, certificate_pem, "
                + "private_key_pem, not_after, uploaded_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, row.domain());
            ps.setString(2, row.certificatePem());
            ps.setString(3, StoreSecrets.seal("certificates", "private_key_pem", row.domain(), row.privateKeyPem()));
            ps.setLong(4, row.notAfter().toEpochMilli());
            ps.setLong(5, row.uploadedAt().toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static Optional<Row> find(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT domain, certificate_pem, private_key_pem, not_after, "
                + "uploaded_at FROM certificates WHERE domain = ?")) {
            ps.setString(1, domain);
            List<Row> rows = list(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        }
    }

    static List<Row> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT domain, certificate_pem, private_key_pem, not_after, "
                + "uploaded_at FROM certificates")) {
            return list(ps);
        }
    }

    public static boolean delete(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM certificates WHERE domain = ?")) {
            ps.setString(1, domain);
            return ps.executeUpdate() > 0;
        }
    }

    private static List<Row> list(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Row> out = new ArrayList<>();
            while (rs.next()) {
                String domain = rs.getString(1);
                out.add(new Row(domain, rs.getString(2),
                        StoreSecrets.open("certificates", "private_key_pem", domain, rs.getString(3)),
                        Instant.ofEpochMilli(rs.getLong(4)),
                        Instant.ofEpochMilli(rs.getLong(5))));
            }
            return out;
        }
    }
}
