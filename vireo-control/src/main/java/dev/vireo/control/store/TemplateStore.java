package dev.vireo.control.store;

import dev.vireo.control.model.Template;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Transcoding templates of each account. */
public final class TemplateStore {

    private static final String COLUMNS = "account_id, id, video_codec, width, height, video_bitrate_kbps, fps, gop, "
            + "audio_codec, audio_bitrate_kbps, created_at";

    private TemplateStore() {
    }

    /** @throws SQLException with SQLState 23505 when the account already has this id */
    public static void insert(Connection c, Template t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO templates (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, t.accountId());
            ps.setString(2, t.id());
            ps.setString(3, t.videoCodec());
            ps.setInt(4, t.width());
            ps.setInt(5, t.height());
            ps.setInt(6, t.videoBitrateKbps());
            ps.setInt(7, t.fps());
            ps.setInt(8, t.gop());
            ps.setString(9, t.audioCodec());
            ps.setInt(10, t.audioBitrateKbps());
            ps.setLong(11, t.createdAt().toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static Optional<Template> find(Connection c, long accountId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM templates WHERE account_id = ? AND id = ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, id);
            List<Template> found = list(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    public static List<Template> ofAccount(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM templates WHERE account_id = ? ORDER BY id")) {
            ps.setLong(1, accountId);
            return list(ps);
        }
    }

    static List<Template> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM templates ORDER BY account_id, id")) {
            return list(ps);
        }
    }

    public static boolean delete(Connection c, long accountId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM templates WHERE account_id = ? AND id = ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, id);
            return ps.executeUpdate() > 0;
        }
    }

    private static List<Template> list(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Template> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Template(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                        rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getString(9), rs.getInt(10),
                        Instant.ofEpochMilli(rs.getLong(11))));
            }
            return out;
        }
    }
}
