package dev.vireo.control.access;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.Names;
import dev.vireo.control.store.AccountStore;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.Registry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Accounts and API keys: the admin bootstrap, new accounts, new keys. Blocking. */
public final class AccountService {

    /** A key made now: its text is in this value only, never stored. */
    public record IssuedKey(Account account, String key) {
        @Override
        public String toString() {
            return "IssuedKey[" + account.name() + "]";
        }
    }

    static final String ADMIN_NAME = "admin";

    private final Database db;
    private final Registry registry;
    private final Clock clock;

    public AccountService(Database db, Registry registry, Clock clock) {
        this.db = db;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Makes sure an admin account exists and can log in. With {@code adminKey} ({@code VIREO_ADMIN_KEY})
     * that key becomes the admin's bootstrap key (replacing an earlier bootstrap key). Without it, a
     * key is generated only when the admin account has no key at all (first start) and returned so
     * the caller can print it once.
     */
    public Optional<String> bootstrap(String adminKey) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        Optional<String> generated = db.transaction(c -> {
            Database.lockOtherNodesOut(c); // nodes starting at once create one admin
            Account admin = AccountStore.findAdmin(c).orElse(null);
            if (admin == null) {
                admin = AccountStore.insert(c, ADMIN_NAME, true, null, now);
            }
            if (!adminKey.isEmpty()) {
                String hash = ApiKeys.hashHex(adminKey);
                if (!AccountStore.hasKey(c, hash)) {
                    AccountStore.removeKeys(c, admin.id(), AccountStore.BOOTSTRAP_LABEL);
                    AccountStore.addKey(c, admin.id(), hash, AccountStore.BOOTSTRAP_LABEL, now);
                }
                return Optional.<String>empty();
            }
            long id = admin.id();
            boolean hasKey = AccountStore.credentials(c).stream().anyMatch(k -> k.account().id() == id);
            if (hasKey) {
                return Optional.<String>empty();
            }
            String key = ApiKeys.generate();
            AccountStore.addKey(c, id, ApiKeys.hashHex(key), AccountStore.BOOTSTRAP_LABEL, now);
            return Optional.of(key);
        });
        registry.reload();
        return generated;
    }

    public IssuedKey create(Account caller, String rawName, Integer domainQuota) {
        requireAdmin(caller);
        String name = Names.account(rawName);
        if (domainQuota != null && domainQuota < 0) {
            throw ApiException.badRequest("InvalidParameter", "domainQuota must be 0 or more");
        }
        Instant now = Instant.ofEpochMilli(clock.millis());
        String key = ApiKeys.generate();
        IssuedKey issued = db.transaction(c -> {
            Account a;
            try {
                a = AccountStore.insert(c, name, false, domainQuota, now);
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    throw ApiException.conflict("AccountAlreadyExist", "an account named " + name + " exists");
                }
                throw e;
            }
            AccountStore.addKey(c, a.id(), ApiKeys.hashHex(key), "api", now);
            return new IssuedKey(a, key);
        });
        registry.reload();
        return issued;
    }

    /** A further key for an account (the caller's own, or any for an admin); earlier keys stay valid. */
    public IssuedKey newKey(Account caller, long accountId) {
        if (!caller.admin() && caller.id() != accountId) {
            throw ApiException.notFound("AccountNotFound", "account " + accountId + " not found");
        }
        Instant now = Instant.ofEpochMilli(clock.millis());
        String key = ApiKeys.generate();
        IssuedKey issued = db.transaction(c -> {
            Account a = AccountStore.find(c, accountId).orElseThrow(
                    () -> ApiException.notFound("AccountNotFound", "account " + accountId + " not found"));
            AccountStore.addKey(c, a.id(), ApiKeys.hashHex(key), "api", now);
            return new IssuedKey(a, key);
        });
        registry.reload();
        return issued;
    }

    public List<Account> list(Account caller) {
        requireAdmin(caller);
        return db.read(AccountStore::all);
    }

    public static void requireAdmin(Account caller) {
        if (!caller.admin()) {
            throw new ApiException(403, "Forbidden.AdminOnly", "only an admin account may do this");
        }
    }
}
