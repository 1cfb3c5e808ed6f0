package dev.vireo.control.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: {@code schema_version} records what was applied; each script not
 * recorded there ({@code db/V{n}__{name}.sql} next to this class) runs once, in order, in its own transaction. A
 * store already at a newer version than this build knows is refused rather than guessed at.
 */
public final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** Java work a migration does after its SQL, in the same transaction (e.g. sealing clear secrets). */
    @FunctionalInterface
    interface Step {
        void run(Connection c, SecretCodec codec) throws SQLException;
    }

    record Migration(int version, String name, Step step) {
        Migration(int version, String name) {
            this(version, name, null);
        }

        String resource() {
            return "db/V" + version + "__" + name + ".sql";
        }
    }

    /** The migration that seals the secrets (issue 17). */
    static final int SECRETS_SEALED = 7;

    /** Every migration of this build, oldest first. Add new ones at the end; never edit an old one. */
    static final List<Migration> ALL = List.of(new Migration(1, "init"),
            new Migration(2, "srt_passphrases"), new Migration(3, "record_rules"), new Migration(4, "abr_ladder"),
            new Migration(5, "forbidden_default_vhost"), new Migration(6, "api_key_last_used"),
            new Migration(SECRETS_SEALED, "secrets_encrypted", (c, codec) -> {
                int n = StoreSecrets.sealClearValues(c, codec);
                StoreSecrets.verifyKey(c, codec);
                if (n > 0) {
                    log.info("sealed {} clear secret values of the store with the store key {}", n, codec.keyId());
                }
            }));

    private Migrations() {
    }

    /** The schema version this build migrates to. */
    public static int latest() {
        return ALL.getLast().version();
    }

    /** Applies what is missing; returns the versions this call applied (not those another node did). */
    static java.util.Set<Integer> apply(Database db, SecretCodec codec) {
        java.util.Set<Integer> appliedNow = new java.util.HashSet<>();
        db.transaction(c -> {
            Database.lockOtherNodesOut(c);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, "
                        + "description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
            }
            return null;
        });
        int current = db.read(Migrations::currentVersion);
        if (current > latest()) {
            throw new IllegalStateException("the store has schema version " + current
                    + " but this Vireo knows only up to " + latest() + "; upgrade Vireo");
        }
        java.util.Set<Integer> recorded = db.read(Migrations::appliedVersions);
        for (Migration m : ALL) {
            if (recorded.contains(m.version())) {
                continue; // not "<= current": branches merged out of order may add an older number later
            }
            List<String> statements = statements(m);
            boolean applied = db.transaction(c -> {
                Database.lockOtherNodesOut(c);
                if (appliedVersions(c).contains(m.version())) {
                    return false; // another node applied it while this one waited for the lock (a cluster's first start)
                }
                try (Statement s = c.createStatement()) {
                    for (String sql : statements) {
                        s.execute(sql);
                    }
                }
                if (m.step() != null) {
                    m.step().run(c, codec);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, m.version());
                    ps.setString(2, m.name());
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                return true;
            });
            if (applied) {
                appliedNow.add(m.version());
                log.info("control store migrated to schema version {} ({})", m.version(), m.name());
            }
        }
        return appliedNow;
    }

    static int currentVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM schema_version");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static java.util.Set<Integer> appliedVersions(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_version");
             ResultSet rs = ps.executeQuery()) {
            java.util.Set<Integer> out = new java.util.HashSet<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        }
    }

    /** The statements of a script: split at ';' ending a line, '--' comment lines dropped. */
    static List<String> statements(Migration m) {
        String text;
        try (InputStream in = Migrations.class.getResourceAsStream(m.resource())) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + m.resource());
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalStateException(m.resource() + " ends without ';'");
        }
        return out;
    }
}
