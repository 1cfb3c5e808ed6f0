package dev.vireo.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * hls.js for browser tests: the very file the server ships to its player, installed by
 * {@code vireo-web}'s build from the npm registry through its {@code package-lock.json} ({@code npm
 * ci}; the library is never copied into the repository). vireo-web builds before this module, so
 * the file is there; a build that skipped npm skips the test, or fails it with
 * {@code -Dvireo.requirePeers=true}.
 */
final class HlsJs {

    static final Path LIBRARY = Path.of("../vireo-web/node_modules/hls.js/dist/hls.min.js");

    private HlsJs() {
    }

    /** The hls.js file vireo-web installed. */
    static Path library() {
        boolean present = Files.isRegularFile(LIBRARY);
        if (!present && Boolean.getBoolean("vireo.requirePeers")) {
            throw new AssertionError("hls.js missing at " + LIBRARY.toAbsolutePath()
                    + " (vireo-web's build runs npm ci; was it skipped?)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "hls.js not installed (vireo-web's npm ci)");
        return LIBRARY;
    }

    /**
     * A page in {@code dir} that plays {@code playlistUrl} with hls.js in low-latency mode; fatal
     * hls.js errors are collected in {@code window.hlsErrors}, the player is {@code window.hls}.
     */
    static Path page(Path dir, String playlistUrl) throws IOException, InterruptedException {
        Files.copy(library(), dir.resolve("hls.min.js"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path page = dir.resolve("hlsjs.html");
        Files.writeString(page, """
                <!doctype html><html><body>
                <video id="v" muted autoplay playsinline></video>
                <script src="hls.min.js"></script>
                <script>
                window.hlsErrors = [];
                const video = document.getElementById('v');
                // maxLiveSyncPlaybackRate: hls.js plays up to 1.5x to reach its target latency
                // (PART-HOLD-BACK) when it started further back; its default 1 never catches up
                const hls = new Hls({lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5});
                window.hls = hls;
                hls.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) window.hlsErrors.push(d.type + ':' + d.details); });
                hls.loadSource('%s');
                hls.attachMedia(video);
                hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(err => window.hlsErrors.push('play:' + err)));
                </script></body></html>
                """.formatted(playlistUrl));
        return page;
    }
}
