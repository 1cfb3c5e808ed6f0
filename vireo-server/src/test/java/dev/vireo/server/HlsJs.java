package dev.vireo.server;

import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * hls.js for browser tests, from the npm registry through {@code src/test/web/package-lock.json}
 * ({@code npm ci} runs once when {@code node_modules} is missing; the library is never copied into
 * the repository). A missing npm skips the test, or fails it with {@code -Dvireo.requirePeers=true}.
 */
final class HlsJs {

    static final Path WEB = Path.of("src/test/web");
    static final Path LIBRARY = WEB.resolve("node_modules/hls.js/dist/hls.min.js");

    private HlsJs() {
    }

    /** The hls.js file, installed from the lock file when needed. */
    static synchronized Path library() throws IOException, InterruptedException {
        if (!Files.isRegularFile(LIBRARY)) {
            String npm = Peers.require("npm");
            Process p = new ProcessBuilder(List.of(npm, "ci", "--no-audit", "--no-fund"))
                    .directory(WEB.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isRegularFile(LIBRARY)) {
                throw new AssertionError("npm ci in " + WEB.toAbsolutePath() + " failed:\n" + out);
            }
        }
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
