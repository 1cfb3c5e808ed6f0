package dev.vireo.control.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vireo.control.model.ControlConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;

/**
 * The JDBC store: a small connection pool over the embedded H2 file database (default) or the
 * configured JDBC URL (PostgreSQL for clusters), with the schema migrated on open. Every call blocks:
 * callers run off the event loops.
 */
public final class Database implements AutoCloseable {

    /** Work with a connection; the SQL is always prepared statements. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** The advisory lock key of {@link #lockOtherNodesOut} (any constant: "vireo" in ASCII). */
    private static final long STARTUP_LOCK = 0x766972656fL;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final SecretCodec secrets;

    private Database(HikariDataSource pool, SecretCodec secrets) {
        this.pool = pool;
        this.secrets = secrets;
    }

    /** The store key's codec (its id for logs; rotation). */
    public SecretCodec secrets() {
        return secrets;
    }

    /**
     * Opens the store and brings its schema up to date.
     *
     * @throws IllegalStateException when the database cannot be reached or migrated (the message
     *     says why; startup should stop)
     */
    public static Database open(ControlConfig config) {
        // the key first: a missing or unreadable key file stops the start before the store is touched
        SecretCodec secrets = StoreKey.loadOrCreate(config.storeKeyFile());
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("vireo-control");
        if (config.jdbcUrl().isEmpty()) {
            hc.setJdbcUrl(embeddedUrl(config.dataDir()));
            hc.setMaximumPoolSize(4);
        } else {
            hc.setJdbcUrl(config.jdbcUrl());
            hc.setMaximumPoolSize(8);
            // A database outage answers the API with 503 after this, not after the 10 s start-up wait.
            hc.setConnectionTimeout(3_000);
        }
        if (!config.jdbcUser().isEmpty()) {
            hc.setUsername(config.jdbcUser());
        }
        if (!config.jdbcPassword().isEmpty()) {
            hc.setPassword(config.jdbcPassword());
        }
        hc.setMinimumIdle(1);
        if (config.jdbcUrl().isEmpty()) {
            hc.setConnectionTimeout(10_000);
        }
        hc.setInitializationFailTimeout(10_000);
        boolean embedded = config.jdbcUrl().isEmpty();
        Database db = new Database(pool(hc), secrets);
        try {
            if (Migrations.apply(db, secrets).contains(Migrations.SECRETS_SEALED) && embedded) {
                // H2 writes changes to new pages and keeps old ones a while: the clear values the
                // migration replaced would stay in the file. A full compaction rewrites it.
                db.close();
                compact(hc.getJdbcUrl());
                db = new Database(pool(hc), secrets);
            }
            db.transaction(c -> {
                Database.lockOtherNodesOut(c);
                StoreSecrets.verifyKey(c, secrets);
                return null;
            });
            if (config.jdbcUrl().isEmpty()) {
                PrivateFiles.filesIn(config.dataDir().resolve("control"));
            }
        } catch (RuntimeException e) {
            db.close();
            throw new IllegalStateException("cannot open the control store: " + rootMessage(e), e);
        }
        return db;
    }

    /**
     * Key rotation ({@code vireo rotate-store-key}): re-seals every secret of the store with the key in
     * {@code newKeyFile} (created with 32 random bytes when missing) and replaces the key check, in one
     * transaction. Run it with every node stopped, then give every node the new file as
     * {@code store.key-file}; this instance keeps the old key and must be closed.
     *
     * @return how many values were re-sealed
     */
    public int rotateStoreKey(Path newKeyFile) {
        SecretCodec next = StoreKey.loadOrCreate(newKeyFile);
        if (SecretCodec.sameKeyId(next.keyId(), secrets.keyId())) {
            throw new IllegalArgumentException("the new key file holds the key in use (" + next.keyId() + ")");
        }
        int n = transaction(c -> {
            Database.lockOtherNodesOut(c);
            return StoreSecrets.reseal(c, secrets, next);
        });
        log.info("re-sealed {} secret values of the store: key {} replaced by key {}", n, secrets.keyId(), next.keyId());
        return n;
    }

    private static HikariDataSource pool(HikariConfig hc) {
        try {
            return new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the control store: " + rootMessage(e), e);
        }
    }

    /** Rewrites the closed embedded store into a fresh file ({@code SHUTDOWN COMPACT}): no old page stays. */
    private static void compact(String h2Url) {
        try (Connection c = java.sql.DriverManager.getConnection(h2Url); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot compact the embedded store after sealing its secrets: "
                    + e.getMessage(), e);
        }
        log.info("compacted the embedded store: the clear values the migration sealed are gone from its file");
    }

    /** The H2 file under {@code {dataDir}/control}; closed by us, not by a JVM shutdown hook. */
    static String embeddedUrl(Path dataDir) {
        Path dir = dataDir.resolve("control").toAbsolutePath().normalize();
        PrivateFiles.directory(dir);
        String path = dir.resolve("vireo").toString();
        if (path.indexOf(';') >= 0) {
            // ';' separates settings in an H2 URL.
            throw new IllegalArgumentException("data directory path cannot contain ';': " + dir);
        }
        return "jdbc:h2:file:" + path + ";DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(Work<T> work) {
        return ScopedValue.where(StoreSecrets.CURRENT, secrets).call(() -> inTransaction(work));
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /** Runs read-only {@code work} on a connection in auto-commit mode. */
    public <T> T read(Work<T> work) {
        return ScopedValue.where(StoreSecrets.CURRENT, secrets).call(() -> inRead(work));
    }

    private <T> T inRead(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /**
     * Nodes of a cluster starting at once on one PostgreSQL would each run the same migration ("relation
     * already exists") and create the same admin account: the start-up transactions (each migration, the
     * admin bootstrap) first take this transaction-scoped advisory lock, so they run one after the other,
     * and re-read under it. The embedded H2 file belongs to one process (its file lock) and needs none.
     */
    public static void lockOtherNodesOut(Connection c) throws SQLException {
        if ("PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + STARTUP_LOCK + ")");
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A store failure that is not the client's fault: 503 when the store is unreachable, else 500. */
    public static final class StoreException extends RuntimeException {

        private final boolean unavailable;

        private StoreException(String message, SQLException cause, boolean unavailable) {
            super(message, cause);
            this.unavailable = unavailable;
        }

        static StoreException of(SQLException e) {
            boolean unavailable = e instanceof SQLTransientConnectionException
                    || e.getSQLState() != null && e.getSQLState().startsWith("08");
            return new StoreException("store failure: " + e.getMessage(), e, unavailable);
        }

        public boolean unavailable() {
            return unavailable;
        }
    }

    /** SQLState of a unique or primary key violation, the same in H2 and PostgreSQL. */
    public static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
