package dev.vireo.control.api;

import dev.vireo.control.access.AccountService;
import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/account} (who am I), {@code /api/v1/accounts} (admin: list, create) and
 * {@code /api/v1/accounts/{id}/keys} (a new key; shown once).
 */
public final class AccountsApi {

    record CreateAccount(String name, Integer domainQuota) {
    }

    record AccountView(long id, String name, boolean admin, Integer domainQuota, String createdAt) {
        static AccountView of(Account a) {
            return new AccountView(a.id(), a.name(), a.admin(), a.domainQuota(), a.createdAt().toString());
        }
    }

    private final Api api;
    private final AccountService accounts;

    public AccountsApi(Api api, AccountService accounts) {
        this.api = api;
        this.accounts = accounts;
    }

    public void mount(Router r) {
        r.get("/api/v1/account", api.authed((q, a) -> Response.json(200, AccountView.of(a))));
        r.get("/api/v1/accounts", api.authed((q, a) -> Response.json(200,
                Map.of("accounts", accounts.list(a).stream().map(AccountView::of).toList()))));
        r.post("/api/v1/accounts", api.authed(this::create));
        r.post("/api/v1/accounts/{id}/keys", api.authed(this::newKey));
    }

    private Response create(RequestContext q, Account a) {
        AccountService.requireAdmin(a);
        CreateAccount body = Api.body(q, CreateAccount.class);
        return Response.json(201, issued(accounts.create(a, body.name(), body.domainQuota())));
    }

    private Response newKey(RequestContext q, Account a) {
        long id;
        try {
            id = Long.parseLong(q.param("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("AccountNotFound", "account " + q.param("id") + " not found");
        }
        return Response.json(201, issued(accounts.newKey(a, id)));
    }

    private static Map<String, Object> issued(AccountService.IssuedKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account", AccountView.of(k.account()));
        m.put("apiKey", k.key());
        m.put("note", "the key is shown only now; only its hash is stored");
        return m;
    }
}
