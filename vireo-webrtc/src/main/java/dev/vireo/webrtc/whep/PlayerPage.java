package dev.vireo.webrtc.whep;

import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The browser player at {@code GET /play/{app}/{stream}}: one static page (no external scripts)
 * that plays the stream over WHEP, with an unmute button and live stats from {@code getStats()}.
 * It passes its own query (e.g. {@code auth_key}) on to the WHEP request.
 */
public final class PlayerPage {

    private static final String RESOURCE = "player.html";

    /** Where the page's script takes its RTCIceServer list from. */
    static final String ICE_SERVERS_PLACEHOLDER = "/*ICE_SERVERS*/[]";

    private final byte[] html;

    public PlayerPage() {
        this(List.of());
    }

    /** @param iceServers STUN/TURN servers the page's peer connection uses (as WHEP answers advertise) */
    public PlayerPage(List<IceServer> iceServers) {
        String page;
        try (InputStream in = PlayerPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("player page resource " + RESOURCE + " is missing");
            }
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the player page", e);
        }
        if (!page.contains(ICE_SERVERS_PLACEHOLDER)) {
            throw new IllegalStateException("player page has no ICE servers placeholder");
        }
        String json = "[" + String.join(",", iceServers.stream().map(IceServer::json).toList()) + "]";
        html = page.replace(ICE_SERVERS_PLACEHOLDER, json).getBytes(StandardCharsets.UTF_8);
    }

    /** The page as served. */
    byte[] html() {
        return html.clone();
    }

    public void mount(Router router) {
        router.get("/play/{app}/{stream}", request -> Response.bytes(200, "text/html; charset=utf-8", html)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .header("X-Content-Type-Options", "nosniff"));
    }
}
