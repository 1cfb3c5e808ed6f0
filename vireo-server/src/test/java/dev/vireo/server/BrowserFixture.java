package dev.vireo.server;

import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The whole server on ephemeral ports, an ffmpeg publisher pushing over RTMP, and a headless
 * Chromium: the set-up of every browser end-to-end test in this module.
 */
record BrowserFixture(VireoServer server, VireoServer.BoundPorts ports, Process ffmpeg, Chromium chromium)
        implements AutoCloseable {

    /**
     * @param encode ffmpeg arguments between the inputs and the output (codecs, GOP, duration)
     * @param ready when the published stream counts as ready for the browser
     */
    static BrowserFixture start(Path dir, List<String> inputs, List<String> encode, String app, String stream,
                                Predicate<StreamStats> ready) throws Exception {
        return start(dir, inputs, encode, app + "/" + stream, StreamKey.of(app, stream), ready, (s, p) -> { });
    }

    /**
     * @param publishPath what follows the RTMP port in the publish URL ("live/demo?vhost=...")
     * @param key the key the published stream gets
     * @param beforePublish set-up on the running server before ffmpeg publishes (domains, ...)
     */
    static BrowserFixture start(Path dir, List<String> inputs, List<String> encode, String publishPath, StreamKey key,
                                Predicate<StreamStats> ready, SetUp beforePublish)
            throws Exception {
        VireoServer server = server(dir);
        VireoServer.BoundPorts ports = server.start();
        beforePublish.run(server, ports);
        List<String> cmd = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-re"));
        cmd.addAll(inputs);
        cmd.addAll(encode);
        cmd.addAll(List.of("-f", "flv", "rtmp://127.0.0.1:" + ports.rtmp() + "/" + publishPath));
        Process ffmpeg = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        Await.until(Duration.ofSeconds(30), "the RTMP stream is ready", () -> server.hub()
                .find(key).map(s -> ready.test(s.stats())).orElse(false));
        return new BrowserFixture(server, ports, ffmpeg, Chromium.start(dir));
    }

    /** The whole server with its data under {@code dir}, every port ephemeral, on 127.0.0.1; not started. */
    static VireoServer server(Path dir) {
        return new VireoServer(TestConfigs.loopback(dir.resolve("data")));
    }

    /** Set-up of the running server; may throw. */
    @FunctionalInterface
    interface SetUp {
        void run(VireoServer server, VireoServer.BoundPorts ports) throws Exception;
    }

    @Override
    public void close() throws Exception {
        try {
            chromium.close();
        } finally {
            ffmpeg.destroy();
            if (!ffmpeg.waitFor(5, TimeUnit.SECONDS)) {
                ffmpeg.destroyForcibly();
            }
            server.close();
        }
    }
}
