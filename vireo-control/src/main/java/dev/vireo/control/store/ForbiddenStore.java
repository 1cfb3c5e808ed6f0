package dev.vireo.control.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Forbidden streams: publishing refused until resumed or until a time. */
public final class ForbiddenStore {

    /**
     * @param domain the ingest domain (the stream key's vhost)
     * @param until when the ban ends by itself, or null for "until resumed"
     */
    public record Row(String domain, String app, String stream, Instant until, Instant createdAt) {
    }

    private ForbiddenStore() {
    }

    public static void put(Connection c, Row row) throws SQLException {
        remove(c, row.domain(), row.app(), row.stream());
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO forbidden_streams (domain, app, stream, until_ms, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, row.domain());
            ps.setString(2, row.app());
            ps.setString(3, row.stream());
            if (row.until() == null) {
                ps.setNull(4, Types.BIGINT);
            } else {
                ps.setLong(4, row.until().toEpochMilli());
            }
            ps.setLong(5, row.createdAt().toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static boolean remove(Connection c, String domain, String app, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM forbidden_streams WHERE domain = ? AND app = ? AND stream = ?")) {
            ps.setString(1, domain);
            ps.setString(2, app);
            ps.setString(3, stream);
            return ps.executeUpdate() > 0;
        }
    }

    /** Drops a deleted domain's bans (no foreign key: the zero-config vhost has bans but no domain row). */
    public static int removeDomain(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM forbidden_streams WHERE domain = ?")) {
            ps.setString(1, domain);
            return ps.executeUpdate();
        }
    }

    /** Rows whose ban has not ended at {@code now}. */
    public static List<Row> active(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT domain, app, stream, until_ms, created_at "
                + "FROM forbidden_streams WHERE until_ms IS NULL OR until_ms > ? ORDER BY domain, app, stream")) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next()) {
                    Instant until = rs.getObject(4) == null ? null : Instant.ofEpochMilli(rs.getLong(4));
                    out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), until,
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
                return out;
            }
        }
    }

    /** Drops bans that ended before {@code now}; returns how many. */
    public static int purgeEnded(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM forbidden_streams WHERE until_ms IS NOT NULL AND until_ms <= ?")) {
            ps.setLong(1, now.toEpochMilli());
            return ps.executeUpdate();
        }
    }
}
