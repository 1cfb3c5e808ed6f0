package dev.vireo.control.api;

import dev.vireo.control.model.Account;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.Names;
import dev.vireo.control.record.RecordRules;
import dev.vireo.control.record.RecordingAccess;
import dev.vireo.http.ByteRange;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Recording rules and recordings:
 * <ul>
 *   <li>{@code GET /api/v1/domains/{domain}/record-rules}, {@code PUT|DELETE
 *   /api/v1/domains/{domain}/record-rules/{app}/{stream}} ({@code *} for any app or stream);</li>
 *   <li>{@code GET /api/v1/recordings[?domain=&app=&stream=&limit=]} (newest first),
 *   {@code GET|DELETE /api/v1/recordings/{domain}/{app}/{stream}/{file}} (a download answers
 *   {@code Range} requests; a file being written cannot be deleted).</li>
 * </ul>
 * A caller sees the recordings of its own ingest domains; an admin sees all of them.
 */
public final class RecordingsApi {

    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 5000;

    /** A listed recording: the item and where to download it. */
    record Listed(String domain, String app, String stream, String file, String format, long bytes, String startedAt,
                  String modifiedAt, boolean recording, String url) {
        static Listed of(RecordingAccess.Item i) {
            return new Listed(i.domain(), i.app(), i.stream(), i.file(), i.format(), i.bytes(), i.startedAt(),
                    i.modifiedAt(), i.recording(),
                    "/api/v1/recordings/" + i.domain() + "/" + i.app() + "/" + i.stream() + "/" + i.file());
        }
    }

    private final Api api;
    private final RecordRules rules;
    private final Supplier<RecordingAccess> recordings;

    public RecordingsApi(Api api, RecordRules rules, Supplier<RecordingAccess> recordings) {
        this.api = api;
        this.rules = rules;
        this.recordings = recordings;
    }

    public void mount(Router r) {
        r.get("/api/v1/domains/{domain}/record-rules", api.authed((q, a) ->
                Response.json(200, Map.of("rules", rules.list(a, q.param("domain"))))));
        r.put("/api/v1/domains/{domain}/record-rules/{app}/{stream}", api.authed((q, a) -> Response.json(200,
                rules.put(a, q.param("domain"), q.param("app"), q.param("stream"),
                        q.body().length == 0 ? new RecordRules.RuleRequest(null, null, null, null, null)
                                : Api.body(q, RecordRules.RuleRequest.class)))));
        r.delete("/api/v1/domains/{domain}/record-rules/{app}/{stream}", api.authed((q, a) -> {
            if (!rules.remove(a, q.param("domain"), q.param("app"), q.param("stream"))) {
                throw ApiException.notFound("RecordRuleNotFound", "no such recording rule");
            }
            return Response.of(204);
        }));
        r.get("/api/v1/recordings", api.authed(this::list));
        r.get("/api/v1/recordings/{domain}/{app}/{stream}/{file}", api.authed(this::download));
        r.delete("/api/v1/recordings/{domain}/{app}/{stream}/{file}", api.authed((q, a) -> {
            String vhost = rules.vhostOf(a, q.param("domain"));
            return switch (recordings.get().delete(vhost, q.param("app"), q.param("stream"), q.param("file"))) {
                case DELETED -> Response.of(204);
                case NOT_FOUND -> throw notFound();
                case RECORDING -> throw ApiException.conflict("RecordingInProgress",
                        "the file is being written; stop the recording (or wait for its rotation) first");
            };
        }));
    }

    private Response list(RequestContext q, Account a) {
        int limit = DEFAULT_LIMIT;
        String l = Api.query(q, "limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiException.badRequest("InvalidParameter", "limit must be between 1 and " + MAX_LIMIT);
            }
        }
        String app = Api.query(q, "app");
        String stream = Api.query(q, "stream");
        List<Listed> items = recordings.get().list(rules.visible(a, Api.query(q, "domain")),
                app == null ? null : Names.streamPart("app", app), stream == null ? null : Names.streamPart("stream", stream),
                limit).stream().map(Listed::of).toList();
        return Response.json(200, Map.of("recordings", items));
    }

    private Response download(RequestContext q, Account a) throws Exception {
        String vhost = rules.vhostOf(a, q.param("domain"));
        RecordingAccess access = recordings.get();
        RecordingAccess.Item item = access.find(vhost, q.param("app"), q.param("stream"), q.param("file"))
                .orElseThrow(RecordingsApi::notFound);
        String type = item.format().equals("flv") ? "video/x-flv" : "video/mp4";
        long size = item.bytes();
        Response r;
        switch (ByteRange.parse(q.header(HttpHeaderNames.RANGE), size)) {
            case ByteRange.Unsatisfiable u -> {
                return Response.error(416, "RangeNotSatisfiable", "the range starts after the end of the file")
                        .header(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            }
            case ByteRange.Part p -> {
                long length = Math.min(p.range().length(), Response.MAX_MAPPED);
                ByteRange range = new ByteRange(p.range().first(), length);
                r = Response.mapped(206, type, access.path(item), range.first(), length)
                        .header(HttpHeaderNames.CONTENT_RANGE, range.contentRange(size));
            }
            case ByteRange.Whole w -> {
                if (size > Response.MAX_MAPPED) {
                    // one response body is at most 2 GiB: such files are fetched in ranges (curl -r, players do)
                    throw ApiException.badRequest("RangeRequired", "the file has " + size
                            + " bytes, more than one response carries (2 GiB): request it in ranges (Range: bytes=0-)");
                }
                r = Response.mapped(200, type, access.path(item), 0, size);
            }
        }
        return r.header(HttpHeaderNames.ACCEPT_RANGES, "bytes")
                .header(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + item.stream() + "-"
                        + item.file() + "\"")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    }

    private static ApiException notFound() {
        return ApiException.notFound("RecordingNotFound", "no such recording");
    }
}
