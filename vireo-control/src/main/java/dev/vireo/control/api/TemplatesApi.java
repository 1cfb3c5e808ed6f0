package dev.vireo.control.api;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.Names;
import dev.vireo.control.model.Template;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.Registry;
import dev.vireo.control.store.TemplateStore;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** {@code /api/v1/templates...}: the caller's transcoding templates. */
public final class TemplatesApi {

    record CreateTemplate(String id, String videoCodec, Integer width, Integer height, Integer videoBitrateKbps,
                          Integer fps, Integer gop, String audioCodec, Integer audioBitrateKbps) {
    }

    record TemplateView(String id, String videoCodec, int width, int height, int videoBitrateKbps, int fps, int gop,
                        String audioCodec, int audioBitrateKbps, String createdAt) {
        static TemplateView of(Template t) {
            return new TemplateView(t.id(), t.videoCodec(), t.width(), t.height(), t.videoBitrateKbps(), t.fps(),
                    t.gop(), t.audioCodec(), t.audioBitrateKbps(), t.createdAt().toString());
        }
    }

    private final Api api;
    private final Database db;
    private final Registry registry;
    private final Clock clock;

    public TemplatesApi(Api api, Database db, Registry registry, Clock clock) {
        this.api = api;
        this.db = db;
        this.registry = registry;
        this.clock = clock;
    }

    public void mount(Router r) {
        r.post("/api/v1/templates", api.authed(this::create));
        r.get("/api/v1/templates", api.authed((q, a) -> Response.json(200, Map.of("templates",
                db.read(c -> TemplateStore.ofAccount(c, a.id())).stream().map(TemplateView::of).toList()))));
        r.get("/api/v1/templates/{id}", api.authed((q, a) -> Response.json(200, TemplateView.of(find(a.id(), q.param("id"))))));
        r.delete("/api/v1/templates/{id}", api.authed((q, a) -> {
            String id = Names.templateId(q.param("id"));
            if (!db.transaction(c -> TemplateStore.delete(c, a.id(), id))) {
                throw notFound(id);
            }
            registry.reload(); // in force (the transcoder stops its jobs) before the client hears of it
            return Response.of(204);
        }));
    }

    /** Template {@code id} of the account, or 404. */
    Template find(long accountId, String rawId) {
        String id = Names.templateId(rawId);
        return db.read(c -> TemplateStore.find(c, accountId, id)).orElseThrow(() -> notFound(id));
    }

    private Response create(RequestContext q, Account a) {
        CreateTemplate b = Api.body(q, CreateTemplate.class);
        Template t = new Template(a.id(), b.id(), Objects.requireNonNullElse(b.videoCodec(), "h264"),
                Objects.requireNonNullElse(b.width(), 0), Objects.requireNonNullElse(b.height(), 0),
                Objects.requireNonNullElse(b.videoBitrateKbps(), 1500), Objects.requireNonNullElse(b.fps(), 0),
                Objects.requireNonNullElse(b.gop(), 0), Objects.requireNonNullElse(b.audioCodec(), "aac"),
                Objects.requireNonNullElse(b.audioBitrateKbps(), 128), Instant.ofEpochMilli(clock.millis()));
        db.transaction(c -> {
            try {
                TemplateStore.insert(c, t);
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    throw ApiException.conflict("TemplateAlreadyExist", "template " + t.id() + " already exists");
                }
                throw e;
            }
            return null;
        });
        registry.reload(); // playable as {stream}_{id} before the client hears of it
        return Response.json(201, TemplateView.of(t)).header(HttpHeaderNames.LOCATION, "/api/v1/templates/" + t.id());
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("TemplateNotFound", "template " + id + " not found");
    }
}
