package dev.vireo.webrtc.whip;

import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import dev.vireo.webrtc.whep.IceServer;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The browser publisher at {@code GET /publish/{app}/{stream}}: one static page (no external
 * scripts) that captures the camera or the screen and publishes it over WHIP, with start/stop and
 * live stats from {@code getStats()}. It passes its own query (e.g. {@code auth_key}) on to the WHIP
 * request; {@code ?autostart=1} starts at once.
 */
public final class PublishPage {

    private static final String RESOURCE = "publish.html";
    private static final String ICE_SERVERS_PLACEHOLDER = "/*ICE_SERVERS*/[]";

    private final byte[] html;

    /** @param iceServers STUN/TURN servers the page's peer connection uses */
    public PublishPage(List<IceServer> iceServers) {
        String page;
        try (InputStream in = PublishPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("publish page resource " + RESOURCE + " is missing");
            }
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the publish page", e);
        }
        String json = "[" + String.join(",", iceServers.stream().map(IceServer::json).toList()) + "]";
        html = page.replace(ICE_SERVERS_PLACEHOLDER, json).getBytes(StandardCharsets.UTF_8);
    }

    public void mount(Router router) {
        router.get("/publish/{app}/{stream}", request -> Response.bytes(200, "text/html; charset=utf-8", html)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .header("X-Content-Type-Options", "nosniff"));
    }
}
