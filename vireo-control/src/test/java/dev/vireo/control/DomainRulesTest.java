package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.control.access.AccountService;
import dev.vireo.control.domains.DomainService;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.Registry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The domain rules on a real store: quota, duplicates, names, association and sub-domain types. */
@Timeout(60)
class DomainRulesTest {

    @TempDir
    Path dir;

    private Database db;
    private Registry registry;
    private DomainService domains;
    private AccountService accounts;
    private Account admin;

    @BeforeEach
    void open() {
        ControlConfig config = ControlConfig.defaults(dir).withAdminKey(TestPlane.ADMIN_KEY).withCnameZone("cdn.test");
        db = Database.open(config);
        registry = new Registry(db, Clock.systemUTC());
        accounts = new AccountService(db, registry, Clock.systemUTC());
        accounts.bootstrap(config.adminKey());
        admin = registry.state().credentials().getFirst().account();
        domains = new DomainService(db, registry, config, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static void refused(ThrowableAssert.ThrowingCallable call, int status, String code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.status()).isEqualTo(status);
        });
    }

    @Test
    void theTwentyFirstDomainExceedsTheQuota() {
        for (int i = 1; i <= 20; i++) {
            domains.add(admin, "d" + i + ".example.com", "ingest", null, null);
        }
        refused(() -> domains.add(admin, "d21.example.com", "ingest", null, null), 403, "QuotaExceeded");
        assertThat(domains.list(admin)).hasSize(20);
        domains.delete(admin, "d1.example.com");
        assertThat(domains.add(admin, "d21.example.com", "streaming", null, null).cname()).isEqualTo("d21.example.com.cdn.test");
    }

    @Test
    void concurrentAddsNeverExceedTheQuota() throws Exception {
        Account tenant = accounts.create(admin, "tenant", 5).account();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> adds = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String name = "c" + i + ".example.com";
                adds.add(() -> {
                    try {
                        domains.add(tenant, name, "ingest", null, null);
                        return true;
                    } catch (ApiException e) {
                        assertThat(e.code()).isEqualTo("QuotaExceeded");
                        return false;
                    }
                });
            }
            int ok = 0;
            for (Future<Boolean> f : pool.invokeAll(adds)) {
                ok += f.get() ? 1 : 0;
            }
            assertThat(ok).isEqualTo(5);
            assertThat(domains.list(tenant)).hasSize(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDomainAddedByAnyoneIsADuplicate() {
        Account tenant = accounts.create(admin, "tenant", null).account();
        domains.add(admin, "push.example.com", "ingest", null, null);
        refused(() -> domains.add(tenant, "PUSH.example.com.", "streaming", null, null), 409, "DomainAlreadyExist");
        refused(() -> domains.get(tenant, "push.example.com"), 404, "DomainNotFound");
    }

    @Test
    void namesAreChecked() {
        refused(() -> domains.add(admin, "*.example.com", "ingest", null, null), 400, "InvalidDomain.Wildcard");
        refused(() -> domains.add(admin, "exa_mple.com", "ingest", null, null), 400, "InvalidDomain.Malformed");
        refused(() -> domains.add(admin, "a.example.com", "ingest", "Shanghai!", null), 400, "InvalidParameter");
        assertThat(domains.list(admin)).isEmpty();
    }

    @Test
    void associationsLinkStreamingToIngestOfOneOwner() {
        Account tenant = accounts.create(admin, "tenant", null).account();
        domains.add(admin, "push.example.com", "ingest", null, null);
        domains.add(admin, "push2.example.com", "ingest", null, null);
        domains.add(admin, "play.example.com", "streaming", null, null);
        domains.add(admin, "play2.example.com", "streaming", null, null);
        domains.add(tenant, "theirs.example.com", "ingest", null, null);
        refused(() -> domains.associate(admin, "push.example.com", "push2.example.com"), 400, "InvalidAssociation.DomainType");
        refused(() -> domains.associate(admin, "play.example.com", "play2.example.com"), 400, "InvalidAssociation.DomainType");
        refused(() -> domains.associate(admin, "push.example.com", "play.example.com"), 400, "InvalidAssociation.DomainType");
        refused(() -> domains.associate(admin, "play.example.com", "theirs.example.com"), 400, "InvalidAssociation.Owner");
        refused(() -> domains.associate(tenant, "theirs.example.com", "push.example.com"), 404, "DomainNotFound");
        assertThat(domains.associate(admin, "play.example.com", "push.example.com").ingestDomain())
                .isEqualTo("push.example.com");
        assertThat(registry.state().ingestOf(registry.state().domain("play.example.com")).name())
                .as("the Gate's view follows at once").isEqualTo("push.example.com");
    }

    @Test
    void subDomainsBindStreamingDomainsOneLevelDeep() {
        domains.add(admin, "push.example.com", "ingest", null, null);
        domains.add(admin, "play.example.com", "streaming", null, null);
        domains.add(admin, "m.example.com", "streaming", null, null);
        domains.add(admin, "x.example.com", "streaming", null, null);
        refused(() -> domains.bindSub(admin, "play.example.com", "push.example.com"), 400, "InvalidAssociation.DomainType");
        refused(() -> domains.bindSub(admin, "play.example.com", "play.example.com"), 400, "InvalidAssociation.SubDomain");
        domains.associate(admin, "play.example.com", "push.example.com");
        domains.bindSub(admin, "play.example.com", "m.example.com");
        refused(() -> domains.bindSub(admin, "m.example.com", "x.example.com"), 409, "InvalidAssociation.SubDomain");
        refused(() -> domains.bindSub(admin, "x.example.com", "play.example.com"), 409, "InvalidAssociation.SubDomain");
        refused(() -> domains.bindSub(admin, "x.example.com", "m.example.com"), 409, "InvalidAssociation.SubDomain");
        assertThat(registry.state().ingestOf(registry.state().domain("m.example.com")).name()).isEqualTo("push.example.com");
        refused(() -> domains.delete(admin, "play.example.com"), 409, "DomainInUse");
    }
}
