package dev.vireo.control.store;

import dev.vireo.control.model.RecordRule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Rows of {@code record_rules} (migration V3). */
public final class RecordRuleStore {

    private RecordRuleStore() {
    }

    public static void put(Connection c, RecordRule r, Instant now) throws SQLException {
        remove(c, r.domain(), r.app(), r.stream());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO record_rules (domain, app, stream, enabled, format,"
                + " rotate_seconds, max_age_seconds, max_total_bytes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.domain());
            ps.setString(2, r.app());
            ps.setString(3, r.stream());
            ps.setBoolean(4, r.enabled());
            ps.setString(5, r.format());
            ps.setLong(6, r.rotateSeconds());
            ps.setLong(7, r.maxAgeSeconds());
            ps.setLong(8, r.maxTotalBytes());
            ps.setLong(9, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static boolean remove(Connection c, String domain, String app, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM record_rules WHERE domain = ? AND app = ? AND stream = ?")) {
            ps.setString(1, domain);
            ps.setString(2, app);
            ps.setString(3, stream);
            return ps.executeUpdate() > 0;
        }
    }

    public static int removeDomain(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM record_rules WHERE domain = ?")) {
            ps.setString(1, domain);
            return ps.executeUpdate();
        }
    }

    public static List<RecordRule> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT domain, app, stream, enabled, format, rotate_seconds,"
                + " max_age_seconds, max_total_bytes, updated_at FROM record_rules ORDER BY domain, app, stream");
             ResultSet rs = ps.executeQuery()) {
            List<RecordRule> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new RecordRule(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                        Instant.ofEpochMilli(rs.getLong(9)).toString()));
            }
            return out;
        }
    }
}
