package dev.vireo.control.store;

import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.NotifyConfig;
import dev.vireo.control.model.SigningConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Domains in the store: one row each, written whole (rules compute the new row, the store saves it). */
public final class DomainStore {

    private static final String COLUMNS = "name, account_id, type, region, live_center, cname, cname_status, status, "
            + "rts_enabled, html5_transcoding, stream_limit, ingest_domain, main_domain, signing_enabled, "
            + "signing_primary_key, signing_secondary_key, signing_validity_minutes, notify_url, notify_secret, "
            + "notify_publish_auth, created_at, updated_at, abr_ladder";

    private DomainStore() {
    }

    /** @throws SQLException with SQLState 23505 when the name is taken */
    public static void insert(Connection c, Domain d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO domains (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(ps, d);
            ps.executeUpdate();
        }
    }

    public static void update(Connection c, Domain d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE domains SET name = ?, account_id = ?, type = ?, "
                + "region = ?, live_center = ?, cname = ?, cname_status = ?, status = ?, rts_enabled = ?, "
                + "html5_transcoding = ?, stream_limit = ?, ingest_domain = ?, main_domain = ?, signing_enabled = ?, "
                + "signing_primary_key = ?, signing_secondary_key = ?, signing_validity_minutes = ?, notify_url = ?, "
                + "notify_secret = ?, notify_publish_auth = ?, created_at = ?, updated_at = ?, abr_ladder = ? "
                + "WHERE name = ?")) {
            bind(ps, d);
            ps.setString(24, d.name());
            if (ps.executeUpdate() != 1) {
                throw ApiException.notFound("DomainNotFound", "domain " + d.name() + " does not exist");
            }
        }
    }

    public static Optional<Domain> find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM domains WHERE name = ?")) {
            ps.setString(1, name);
            List<Domain> found = list(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    public static List<Domain> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM domains ORDER BY name")) {
            return list(ps);
        }
    }

    public static List<Domain> ofAccount(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM domains WHERE account_id = ? ORDER BY name")) {
            ps.setLong(1, accountId);
            return list(ps);
        }
    }

    public static int countOfAccount(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM domains WHERE account_id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Names of the domains associated with or bound to {@code name} (which block its deletion). */
    public static List<String> dependents(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name FROM domains WHERE ingest_domain = ? OR main_domain = ? ORDER BY name")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    public static void delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM domains WHERE name = ?")) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Domain d) throws SQLException {
        ps.setString(1, d.name());
        ps.setLong(2, d.accountId());
        ps.setString(3, d.type().wire());
        ps.setString(4, d.region());
        ps.setString(5, d.liveCenter());
        ps.setString(6, d.cname());
        ps.setString(7, d.cnameStatus().wire());
        ps.setString(8, d.status().wire());
        ps.setBoolean(9, d.rtsEnabled());
        ps.setBoolean(10, d.html5Transcoding());
        ps.setInt(11, d.streamLimit());
        setNullable(ps, 12, d.ingestDomain());
        setNullable(ps, 13, d.mainDomain());
        ps.setBoolean(14, d.signing().enabled());
        ps.setString(15, seal("signing_primary_key", d.name(), d.signing().primaryKey()));
        setNullable(ps, 16, seal("signing_secondary_key", d.name(), d.signing().secondaryKey()));
        ps.setInt(17, d.signing().validityMinutes());
        NotifyConfig n = d.webhook();
        setNullable(ps, 18, n == null ? null : seal("notify_url", d.name(), n.url()));
        setNullable(ps, 19, n == null ? null : seal("notify_secret", d.name(), n.secret()));
        ps.setBoolean(20, n != null && n.onPublishAuth());
        ps.setLong(21, d.createdAt().toEpochMilli());
        ps.setLong(22, d.updatedAt().toEpochMilli());
        setNullable(ps, 23, d.abrLadder().isEmpty() ? null : String.join(",", d.abrLadder()));
    }

    private static List<Domain> list(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Domain> out = new ArrayList<>();
            while (rs.next()) {
                String name = rs.getString(1);
                String notifyUrl = open("notify_url", name, rs.getString(18));
                NotifyConfig notify = notifyUrl == null ? null
                        : new NotifyConfig(notifyUrl, open("notify_secret", name, rs.getString(19)), rs.getBoolean(20));
                out.add(new Domain(rs.getString(1), rs.getLong(2),
                        Domain.Type.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)), rs.getString(4), rs.getString(5),
                        rs.getString(6), Domain.CnameStatus.valueOf(rs.getString(7).toUpperCase(Locale.ROOT)),
                        Domain.Status.valueOf(rs.getString(8).toUpperCase(Locale.ROOT)), rs.getBoolean(9),
                        rs.getBoolean(10), rs.getInt(11), rs.getString(12), rs.getString(13),
                        new SigningConfig(rs.getBoolean(14), open("signing_primary_key", name, rs.getString(15)),
                                open("signing_secondary_key", name, rs.getString(16)), rs.getInt(17)),
                        notify, Instant.ofEpochMilli(rs.getLong(21)), Instant.ofEpochMilli(rs.getLong(22)),
                        rs.getString(23) == null ? List.of() : List.of(rs.getString(23).split(","))));
            }
            return out;
        }
    }

    /** Secret columns are sealed with the store key, the domain's name as the row (StoreSecrets). */
    private static String seal(String column, String name, String plain) {
        return StoreSecrets.seal("domains", column, name, plain);
    }

    private static String open(String column, String name, String stored) {
        return StoreSecrets.open("domains", column, name, stored);
    }

    private static void setNullable(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }
}
