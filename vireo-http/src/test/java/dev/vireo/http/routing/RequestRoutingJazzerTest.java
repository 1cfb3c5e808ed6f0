package dev.vireo.http.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Coverage-guided fuzzing of the HTTP request target as {@link Dispatcher} handles it (issue 17):
 * {@link RequestTarget#parse} (RFC 9112 §3.2 origin and absolute form), {@link Router#lookup}
 * over every route pattern the server registers ({@link PathDecoder}: segments, RFC 3986 §2.1
 * percent-decoding, UTF-8 and control-character checks), then for a found route the query
 * ({@link RequestContext#queryParams}) and the Host header ({@link HostHeader}). Only the
 * {@link IllegalArgumentException} that {@code Dispatcher} answers with 400 escapes, from
 * {@code RequestTarget} alone; a bad path is a {@link Router.BadPath}. The input is
 * {@code METHOD target\nhost}. Seeds in {@code RequestRoutingJazzerTestInputs/} (request lines
 * of the player, hls.js, ffmpeg, the console and WHIP/WHEP clients); {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class RequestRoutingJazzerTest {

    /** The patterns VireoServer's modules register (Router.describe() of a running server). */
    private static final List<String> GET = List.of("/", "/api/docs", "/api/v1/account", "/api/v1/accounts",
            "/api/v1/domains", "/api/v1/domains/{domain}", "/api/v1/domains/{domain}/srt",
            "/api/v1/domains/{domain}/sub-domains/{sub}", "/api/v1/openapi.json", "/api/v1/streams",
            "/api/v1/streams/{domain}/{app}/{stream}", "/api/v1/templates/{id}", "/console/{file...}",
            "/favicon.ico", "/healthz", "/metrics", "/play/{app}/{stream}", "/player/{file...}", "/publish/{app}/{stream}",
            "/tools/time", "/vendor/{file...}", "/vireo-player.js", "/{app}/{stream}.flv", "/{app}/{stream}.jpg",
            "/{app}/{stream}.m3u8", "/{app}/{stream}/llhls.m3u8", "/{app}/{stream}/{file}.m4s",
            "/{app}/{stream}/{file}.mp4", "/{app}/{stream}/{file}.ts");
    private static final List<String> POST = List.of("/api/v1/accounts/{id}/keys", "/api/v1/diagnose",
            "/api/v1/urls", "/api/v1/streams/{domain}/{app}/{stream}/forbid", "/{app}/{stream}/whep", "/{app}/{stream}/whip");
    private static final List<String> PATCH_DELETE = List.of("/{app}/{stream}/whep/{session}", "/{app}/{stream}/whip/{session}");
    private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS};
    private static final Router ROUTER = routes();

    private static Router routes() {
        Router r = new Router();
        RouteHandler h = rq -> Response.of(204);
        GET.forEach(p -> r.get(p, h));
        POST.forEach(p -> r.post(p, h));
        PATCH_DELETE.forEach(p -> r.patch(p, h).delete(p, h));
        r.put("/api/v1/domains/{domain}/signing", h);
        return r;
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void route(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1); // a request line is octets
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        String host = nl < 0 ? null : s.substring(nl + 1);
        int sp = line.indexOf(' ');
        HttpMethod method = METHODS[Math.floorMod(sp < 0 ? 0 : line.substring(0, sp).hashCode(), METHODS.length)];
        String uri = sp < 0 ? line : line.substring(sp + 1);
        RequestTarget target;
        try {
            target = RequestTarget.parse(uri);
        } catch (IllegalArgumentException badRequest) {
            assertThat(badRequest.getMessage()).isNotBlank();
            return;
        }
        assertThat(target.path()).startsWith("/");
        switch (ROUTER.lookup(method, target.path())) {
            case Router.Found found -> {
                HttpHeaders headers = new DefaultHttpHeaders(false);
                if (host != null) {
                    headers.add(HttpHeaderNames.HOST, host);
                }
                RequestContext rc = new RequestContext(method, HttpVersion.HTTP_1_1, target.path(), target.rawQuery(),
                        found.params(), headers, new byte[0], null, "r1");
                assertThat(found.params().values()).doesNotContainNull();
                try {
                    rc.queryParams();
                } catch (IllegalArgumentException malformedQuery) {
                    return; // Dispatcher: 400 before the handler
                }
                rc.query("auth_key");
                assertThat(rc.host()).isNotNull();
            }
            case Router.BadPath bad -> assertThat(bad.reason()).isNotBlank();
            case Router.MethodNotAllowed mna -> assertThat(mna.allowed()).isNotEmpty();
            case Router.NotFound nf -> {
            }
        }
    }
}
