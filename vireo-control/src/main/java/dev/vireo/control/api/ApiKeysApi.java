package dev.vireo.control.api;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.store.AccountStore;
import dev.vireo.control.store.ApiKeyStore;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.Registry;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/accounts/{id}/keys} (an account's keys: id, label, created, last used; never
 * the key) and {@code DELETE /api/v1/accounts/{id}/keys/{keyId}} (revoke: the key stops working
 * at once). An admin may do both for any account, others for their own. The admin account's last
 * key cannot be revoked (that would lock everyone out of the API): make a new one first.
 */
public final class ApiKeysApi {

    record KeyView(String id, String label, String createdAt, String lastUsedAt) {
        static KeyView of(ApiKeyStore.KeyInfo k) {
            return new KeyView(k.id(), k.label(), k.createdAt().toString(),
                    k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
        }
    }

    private final Api api;
    private final Database db;
    private final Registry registry;

    public ApiKeysApi(Api api, Database db, Registry registry) {
        this.api = api;
        this.db = db;
        this.registry = registry;
    }

    public void mount(Router r) {
        r.get("/api/v1/accounts/{id}/keys", api.authed(this::list));
        r.delete("/api/v1/accounts/{id}/keys/{keyId}", api.authed(this::revoke));
    }

    private Response list(RequestContext q, Account caller) {
        long id = accountId(q, caller);
        List<KeyView> keys = db.read(c -> {
            AccountStore.find(c, id).orElseThrow(() -> notFound(id));
            return ApiKeyStore.list(c, id).stream().map(KeyView::of).toList();
        });
        return Response.json(200, Map.of("keys", keys));
    }

    private Response revoke(RequestContext q, Account caller) {
        long id = accountId(q, caller);
        String keyId = q.param("keyId");
        db.transaction(c -> {
            Account a = AccountStore.lock(c, id).orElseThrow(() -> notFound(id));
            List<ApiKeyStore.KeyInfo> keys = ApiKeyStore.list(c, id);
            boolean known = keys.stream().anyMatch(k -> k.id().equals(keyId));
            if (!known) {
                throw ApiException.notFound("KeyNotFound", "account " + id + " has no key " + keyId);
            }
            if (a.admin() && keys.size() == 1) {
                throw ApiException.conflict("LastAdminKey",
                        "this is the admin account's last key; create a new key before revoking it");
            }
            ApiKeyStore.delete(c, id, keyId);
            return null;
        });
        registry.reload();
        return Response.of(204);
    }

    /** The account of the path, when the caller may manage its keys (admin: any; others: their own). */
    private static long accountId(RequestContext q, Account caller) {
        long id;
        try {
            id = Long.parseLong(q.param("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("AccountNotFound", "account " + q.param("id") + " not found");
        }
        if (!caller.admin() && caller.id() != id) {
            throw notFound(id);
        }
        return id;
    }

    private static ApiException notFound(long id) {
        return ApiException.notFound("AccountNotFound", "account " + id + " not found");
    }
}
