package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vireo.control.ControlPlane;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hole 5 of issue 17: adding the first domain must not silently stop zero-config playback. With
 * {@code default-vhost} on (the default) an ffmpeg publisher on the default vhost keeps its viewers
 * (ffprobe reads it after the domain was added) and a warning says its streams stay public; with it
 * off, the publisher is ended with the reason instead of pushing to nobody.
 */
@Timeout(90)
class DefaultVhostTest {

    @TempDir
    Path dir;

    private VireoServer start(boolean defaultVhost) {
        Config c = TestConfigs.loopback(dir.resolve("data-" + defaultVhost));
        return new VireoServer(c.withProtection(c.protection().withDefaultVhost(defaultVhost)));
    }

    private static int addDomain(VireoServer server, int httpPort) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/api/v1/domains"))
                .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"domain\":\"push.example.com\",\"type\":\"ingest\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void theDefaultVhostStaysServedAfterTheFirstDomainAndAWarningSaysSo() throws Exception {
        Logger controlLog = (Logger) LoggerFactory.getLogger(ControlPlane.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        controlLog.addAppender(logs);
        try (VireoServer server = start(true)) {
            VireoServer.BoundPorts ports = server.start();
            try (Ffmpeg publisher = Ffmpeg.publish("rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo", 60, dir)) {
                StreamKey key = StreamKey.of("live", "demo");
                Await.until(Duration.ofSeconds(20), "the publisher is live",
                        () -> server.hub().find(key).map(s -> s.isLive()).orElse(false));
                assertThat(addDomain(server, ports.http())).isEqualTo(201);

                Ffmpeg.Result probe = Ffmpeg.run(Ffmpeg.ffprobeStreams("http://127.0.0.1:" + ports.http()
                        + "/live/demo.flv"), dir, 30);
                assertThat(probe.exitCode()).as(probe.stderr()).isZero();
                assertThat(probe.stdout()).contains("\"codec_name\": \"h264\"");
                assertThat(publisher.isAlive()).isTrue();
                assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                        .contains("push.example.com").contains("default vhost is still served").contains("public"));
            }
        } finally {
            controlLog.detachAppender(logs);
        }
    }

    @Test
    void withTheDefaultVhostOffItsPublishersAreEndedWithTheReason() throws Exception {
        try (VireoServer server = start(false)) {
            VireoServer.BoundPorts ports = server.start();
            try (Ffmpeg publisher = Ffmpeg.publish("rtmp://127.0.0.1:" + ports.rtmp() + "/live/demo", 60, dir)) {
                StreamKey key = StreamKey.of("live", "demo");
                Await.until(Duration.ofSeconds(20), "the publisher is live",
                        () -> server.hub().find(key).map(s -> s.isLive()).orElse(false));
                assertThat(addDomain(server, ports.http())).isEqualTo(201);
                Await.until(Duration.ofSeconds(20), "ffmpeg ended by the server", () -> !publisher.isAlive());
                HttpResponse<String> play = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + ports.http() + "/live/demo.flv")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(play.statusCode()).isEqualTo(403);
                assertThat(play.body()).contains("not configured");
            }
        }
    }
}
