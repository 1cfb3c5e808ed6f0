package dev.vireo.webrtc.whep;

import dev.vireo.http.Response;
import dev.vireo.http.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The browser player at {@code GET /play/{app}/{stream}}: one static page (no external scripts)
 * that plays the stream over WHEP, with an unmute button and live stats from {@code getStats()}.
 * It passes its own query (e.g. {@code auth_key}) on to the WHEP request.
 */
public final class PlayerPage {

    private static final String RESOURCE = "player.html";

    private final byte[] html;

    public PlayerPage() {
        try (InputStream in = PlayerPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("player page resource " + RESOURCE + " is missing");
            }
            html = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the player page", e);
        }
    }

    public void mount(Router router) {
        router.get("/play/{app}/{stream}", request -> Response.bytes(200, "text/html; charset=utf-8", html)
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .header("X-Content-Type-Options", "nosniff"));
    }
}
