package dev.vireo.control.store;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.Credential;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Accounts and their API key hashes in the store. */
public final class AccountStore {

    /** Label of the admin key created on first start or set by {@code VIREO_ADMIN_KEY}. */
    public static final String BOOTSTRAP_LABEL = "bootstrap";

    private static final String COLUMNS = "id, name, admin, domain_quota, created_at";

    private AccountStore() {
    }

    public static Account insert(Connection c, String name, boolean admin, Integer domainQuota, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO accounts (name, admin, domain_quota, created_at) VALUES (?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, name);
            ps.setBoolean(2, admin);
            if (domainQuota == null) {
                ps.setNull(3, Types.INTEGER);
            } else {
                ps.setInt(3, domainQuota);
            }
            ps.setLong(4, now.toEpochMilli());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return new Account(keys.getLong(1), name, admin, domainQuota, Instant.ofEpochMilli(now.toEpochMilli()));
            }
        }
    }

    public static Optional<Account> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts WHERE id = ?")) {
            ps.setLong(1, id);
            return one(ps);
        }
    }

    public static Optional<Account> findAdmin(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM accounts WHERE admin = TRUE ORDER BY id")) {
            return one(ps);
        }
    }

    /** Locks the account's row until the transaction ends: serialises quota checks of one account. */
    public static Optional<Account> lock(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, id);
            return one(ps);
        }
    }

    public static List<Account> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            List<Account> out = new ArrayList<>();
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        }
    }

    public static void addKey(Connection c, long accountId, String keyHashHex, String label, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_keys (key_hash, account_id, label, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, keyHashHex);
            ps.setLong(2, accountId);
            ps.setString(3, label);
            ps.setLong(4, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static int removeKeys(Connection c, long accountId, String label) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM api_keys WHERE account_id = ? AND label = ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, label);
            return ps.executeUpdate();
        }
    }

    public static boolean hasKey(Connection c, String keyHashHex) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM api_keys WHERE key_hash = ?")) {
            ps.setString(1, keyHashHex);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Every key hash with its account. */
    public static List<Credential> credentials(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT k.key_hash, a.id, a.name, a.admin, a.domain_quota, "
                + "a.created_at FROM api_keys k JOIN accounts a ON a.id = k.account_id");
             ResultSet rs = ps.executeQuery()) {
            List<Credential> out = new ArrayList<>();
            while (rs.next()) {
                Integer quota = rs.getObject(5) == null ? null : rs.getInt(5);
                Account a = new Account(rs.getLong(2), rs.getString(3), rs.getBoolean(4), quota,
                        Instant.ofEpochMilli(rs.getLong(6)));
                out.add(Credential.of(rs.getString(1).trim(), a));
            }
            return out;
        }
    }

    private static Optional<Account> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    private static Account read(ResultSet rs) throws SQLException {
        Integer quota = rs.getObject(4) == null ? null : rs.getInt(4);
        return new Account(rs.getLong(1), rs.getString(2), rs.getBoolean(3), quota, Instant.ofEpochMilli(rs.getLong(5)));
    }
}
