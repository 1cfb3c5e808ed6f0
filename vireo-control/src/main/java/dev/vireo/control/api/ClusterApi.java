package dev.vireo.control.api;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.ClusterView;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/cluster/nodes} and {@code GET /api/v1/cluster/streams}: the cluster registry
 * as this node sees it (admin key only). A node without a cluster answers {@code 404 NotClustered}.
 */
public final class ClusterApi {

    private final Api api;
    private final Supplier<ClusterView> cluster;

    public ClusterApi(Api api, Supplier<ClusterView> cluster) {
        this.api = api;
        this.cluster = cluster;
    }

    public void mount(Router r) {
        r.get("/api/v1/cluster/nodes", api.authed((q, a) -> {
            ClusterView c = view(a);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("node", c.nodeId());
            body.put("nodes", c.nodes());
            return Response.json(200, body);
        }));
        r.get("/api/v1/cluster/streams", api.authed((q, a) -> {
            ClusterView c = view(a);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("node", c.nodeId());
            body.put("streams", c.claims());
            return Response.json(200, body);
        }));
    }

    private ClusterView view(Account caller) {
        if (!caller.admin()) {
            throw new ApiException(403, "Forbidden", "the cluster registry is shown to the admin account only");
        }
        ClusterView c = cluster.get();
        if (c == null) {
            throw ApiException.notFound("NotClustered", "this node runs alone (no cluster.redis configured)");
        }
        return c;
    }
}
