package dev.vireo.http.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final RouteHandler A = r -> Response.of(200);
    private static final RouteHandler B = r -> Response.of(201);
    private static final RouteHandler C = r -> Response.of(202);

    private static Router.Found found(Router.Lookup l) {
        assertThat(l).isInstanceOf(Router.Found.class);
        return (Router.Found) l;
    }

    @Test
    void literalParamAndSuffixSegments() {
        Router router = new Router()
                .get("/healthz", A)
                .get("/{app}/{stream}.flv", B)
                .post("/{app}/{stream}/whip", C);

        assertThat(found(router.lookup(HttpMethod.GET, "/healthz")).handler()).isSameAs(A);

        Router.Found flv = found(router.lookup(HttpMethod.GET, "/live/demo.flv"));
        assertThat(flv.handler()).isSameAs(B);
        assertThat(flv.params()).isEqualTo(Map.of("app", "live", "stream", "demo"));

        Router.Found whip = found(router.lookup(HttpMethod.POST, "/live/cam1/whip"));
        assertThat(whip.handler()).isSameAs(C);
        assertThat(whip.params()).containsEntry("stream", "cam1");
    }

    @Test
    void suffixNeedsANonEmptyName() {
        Router router = new Router().get("/{app}/{stream}.flv", A);
        assertThat(router.lookup(HttpMethod.GET, "/live/.flv")).isSameAs(Router.NotFound.INSTANCE);
        assertThat(router.lookup(HttpMethod.GET, "/live/demo.m3u8")).isSameAs(Router.NotFound.INSTANCE);
        assertThat(router.lookup(HttpMethod.GET, "//demo.flv")).isSameAs(Router.NotFound.INSTANCE);
        assertThat(router.lookup(HttpMethod.GET, "/live/demo.flv/x")).isSameAs(Router.NotFound.INSTANCE);
    }

    @Test
    void mostSpecificPatternWinsRegardlessOfOrder() {
        Router router = new Router()
                .get("/{app}/{stream}", A)
                .get("/{app}/{stream}.flv", B)
                .get("/api/{version}", C);
        assertThat(found(router.lookup(HttpMethod.GET, "/live/demo.flv")).handler()).isSameAs(B);
        assertThat(found(router.lookup(HttpMethod.GET, "/live/demo")).handler()).isSameAs(A);
        assertThat(found(router.lookup(HttpMethod.GET, "/api/v1")).handler()).isSameAs(C);
    }

    @Test
    void tailParameterTakesTheRest() {
        Router router = new Router().get("/console/{file...}", A).get("/console/index.html", B);
        Router.Found f = found(router.lookup(HttpMethod.GET, "/console/js/app.js"));
        assertThat(f.handler()).isSameAs(A);
        assertThat(f.params()).containsEntry("file", "js/app.js");
        assertThat(found(router.lookup(HttpMethod.GET, "/console/index.html")).handler()).isSameAs(B);
        assertThat(router.lookup(HttpMethod.GET, "/console")).isSameAs(Router.NotFound.INSTANCE);
    }

    @Test
    void segmentsArePercentDecodedAfterSplitting() {
        Router router = new Router().get("/{app}/{stream}.flv", A);
        Router.Found f = found(router.lookup(HttpMethod.GET, "/li%20ve/a%2Fb+c.flv"));
        assertThat(f.params()).containsEntry("app", "li ve").containsEntry("stream", "a/b+c");
        assertThat(found(router.lookup(HttpMethod.GET, "/live/%E4%BD%A0.flv")).params()).containsEntry("stream", "你");
    }

    @Test
    void malformedEncodingIsABadPath() {
        Router router = new Router().get("/{app}/{stream}.flv", A);
        assertThat(router.lookup(HttpMethod.GET, "/live/%zz.flv")).isInstanceOf(Router.BadPath.class);
        assertThat(router.lookup(HttpMethod.GET, "/live/%E4.flv")).isInstanceOf(Router.BadPath.class);
        assertThat(router.lookup(HttpMethod.GET, "/live/a%00.flv")).isInstanceOf(Router.BadPath.class);
        assertThat(router.lookup(HttpMethod.GET, "/live/a%2.flv")).isInstanceOf(Router.BadPath.class);
    }

    @Test
    void headFallsBackToGetAndOtherMethodsAreNotAllowed() {
        Router router = new Router().get("/x", A).delete("/x", B);
        assertThat(found(router.lookup(HttpMethod.HEAD, "/x")).handler()).isSameAs(A);
        Router.Lookup put = router.lookup(HttpMethod.PUT, "/x");
        assertThat(put).isInstanceOf(Router.MethodNotAllowed.class);
        assertThat(((Router.MethodNotAllowed) put).allowed())
                .containsExactlyInAnyOrder(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.OPTIONS);
        assertThat(router.allowedMethods("/x")).contains(HttpMethod.DELETE, HttpMethod.OPTIONS);
        assertThat(router.allowedMethods("/y")).isEmpty();
    }

    @Test
    void aMethodRouteBehindAMoreSpecificOtherMethodRouteIsFound() {
        Router router = new Router()
                .post("/api/v1/streams/{app}/kick", A)
                .get("/api/v1/streams/{app}/{stream}", B);
        assertThat(found(router.lookup(HttpMethod.GET, "/api/v1/streams/live/kick")).handler()).isSameAs(B);
        assertThat(found(router.lookup(HttpMethod.POST, "/api/v1/streams/live/kick")).handler()).isSameAs(A);
    }

    @Test
    void conflictingAndMalformedPatternsAreRefused() {
        Router router = new Router().get("/{app}/{stream}.flv", A);
        assertThatThrownBy(() -> router.get("/{a}/{b}.flv", B)).isInstanceOf(IllegalArgumentException.class);
        router.post("/{a}/{b}.flv", B);
        assertThatThrownBy(() -> router.get("nope", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> router.get("/{x", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> router.get("/{x}/{x}", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> router.get("/{rest...}/x", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> router.get("/a{x}", A)).isInstanceOf(IllegalArgumentException.class);
        assertThat(router.describe()).containsExactly("GET /{app}/{stream}.flv", "POST /{a}/{b}.flv");
    }

    @Test
    void rootPath() {
        Router router = new Router().get("/", A);
        assertThat(found(router.lookup(HttpMethod.GET, "/")).handler()).isSameAs(A);
        assertThat(router.lookup(HttpMethod.GET, "/x")).isSameAs(Router.NotFound.INSTANCE);
    }
}
