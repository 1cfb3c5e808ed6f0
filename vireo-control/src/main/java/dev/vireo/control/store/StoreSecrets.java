package dev.vireo.control.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which columns of the store hold secrets, and the work on all of them at once: sealing the clear
 * values a store from before V7 holds (the migration), re-sealing everything under a new key
 * (rotation), and the key check that makes a node with another key fail at start instead of
 * mis-reading. The stores seal and open through {@link #codec()}: the {@link SecretCodec} that
 * {@link Database} binds (a {@link ScopedValue}) around every transaction and read.
 */
public final class StoreSecrets {

    /** A secret column: {@code idColumn} names the row in the associated data. */
    record Column(String table, String column, String idColumn) {
    }

    /** Every secret column. A new secret column is added here (and sealed by its store). */
    static final List<Column> COLUMNS = List.of(
            new Column("domains", "signing_primary_key", "name"),
            new Column("domains", "signing_secondary_key", "name"),
            new Column("domains", "notify_url", "name"),
            new Column("domains", "notify_secret", "name"),
            new Column("srt_passphrases", "passphrase", "domain"),
            new Column("certificates", "private_key_pem", "domain"));

    /** The one row of {@code store_key}: a value sealed under the key, to tell a wrong key at start. */
    private static final String CHECK_TABLE = "store_key";
    private static final String CHECK_PLAIN = "vireo store key check";

    static final ScopedValue<SecretCodec> CURRENT = ScopedValue.newInstance();

    private StoreSecrets() {
    }

    /** The store key's codec of the current {@link Database} call. */
    static SecretCodec codec() {
        if (!CURRENT.isBound()) {
            throw new IllegalStateException("store secrets are sealed inside Database.transaction/read only");
        }
        return CURRENT.get();
    }

    static String seal(String table, String column, String rowId, String plain) {
        return codec().seal(table, column, rowId, plain);
    }

    static String open(String table, String column, String rowId, String stored) {
        return codec().open(table, column, rowId, stored);
    }

    /**
     * The migration's step (V7): seals every clear value; values already sealed under this key are
     * left as they are. A clear value that happens to start with {@code v1:} does not open and is
     * sealed like any clear value. Returns how many values were sealed.
     */
    static int sealClearValues(Connection c, SecretCodec codec) throws SQLException {
        int sealed = 0;
        for (Column col : COLUMNS) {
            for (String[] row : rows(c, col)) {
                if (SecretCodec.isSealed(row[1]) && opens(codec, col, row[0], row[1])) {
                    continue;
                }
                update(c, col, row[0], codec.seal(col.table(), col.column(), row[0], row[1]));
                sealed++;
            }
        }
        return sealed;
    }

    /**
     * Re-seals every secret under {@code next} (rotation): each value is opened with {@code current}
     * (a value that does not open stops the rotation: nothing is changed) and the key check is
     * replaced. Run in one transaction with every node stopped; returns how many values were re-sealed.
     */
    static int reseal(Connection c, SecretCodec current, SecretCodec next) throws SQLException {
        verifyKey(c, current);
        int n = 0;
        for (Column col : COLUMNS) {
            for (String[] row : rows(c, col)) {
                String plain = current.open(col.table(), col.column(), row[0], row[1]);
                update(c, col, row[0], next.seal(col.table(), col.column(), row[0], plain));
                n++;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + CHECK_TABLE)) {
            ps.executeUpdate();
        }
        insertCheck(c, next);
        return n;
    }

    /**
     * Makes sure the store's secrets are this key's: the first node to start records a check value
     * sealed under its key; every later start opens it.
     *
     * @throws IllegalStateException when the store was sealed under another key (the message names
     *     both key ids and the setting, never a key)
     */
    static void verifyKey(Connection c, SecretCodec codec) throws SQLException {
        String keyId = null;
        String check = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT key_id, check_value FROM " + CHECK_TABLE + " WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                keyId = rs.getString(1);
                check = rs.getString(2);
            }
        }
        if (check == null) {
            insertCheck(c, codec);
            return;
        }
        boolean ok;
        try {
            ok = CHECK_PLAIN.equals(codec.open(CHECK_TABLE, "check_value", "1", check));
        } catch (SecretCodec.SecretException e) {
            ok = false;
        }
        if (!ok) {
            throw new IllegalStateException("the store's secrets are encrypted with the store key " + keyId
                    + ", but this node's key (store.key-file / VIREO_STORE_KEY_FILE) is " + codec.keyId()
                    + ": every node of a cluster must use the same key file (copy it from the node that created it)");
        }
    }

    private static void insertCheck(Connection c, SecretCodec codec) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + CHECK_TABLE
                + " (id, key_id, check_value, created_at) VALUES (1, ?, ?, ?)")) {
            ps.setString(1, codec.keyId());
            ps.setString(2, codec.seal(CHECK_TABLE, "check_value", "1", CHECK_PLAIN));
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    private static boolean opens(SecretCodec codec, Column col, String id, String stored) {
        try {
            codec.open(col.table(), col.column(), id, stored);
            return true;
        } catch (SecretCodec.SecretException e) {
            return false;
        }
    }

    /** (id, value) of every row with a value in {@code col}. */
    private static List<String[]> rows(Connection c, Column col) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + col.idColumn() + ", " + col.column() + " FROM "
                + col.table() + " WHERE " + col.column() + " IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return out;
    }

    private static void update(Connection c, Column col, String id, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + col.table() + " SET " + col.column() + " = ? WHERE "
                + col.idColumn() + " = ?")) {
            ps.setString(1, value);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }
}
