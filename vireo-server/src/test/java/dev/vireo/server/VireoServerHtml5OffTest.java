package dev.vireo.server;

import static dev.vireo.webrtc.testing.Chromium.field;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.core.testing.Peers;
import dev.vireo.webrtc.testing.Chromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A streaming domain with HTML5 auto transcoding switched off: WHEP plays the OBS-like source
 * (H.264 with B-frames + AAC) as it is — video only, no transcoding job — and the log says why.
 */
@Timeout(150)
class VireoServerHtml5OffTest {

    @TempDir
    static Path dir;

    private static BrowserFixture fx;
    private static final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        Peers.ffmpeg();
        log.start();
        ((Logger) LoggerFactory.getLogger(VireoServer.class)).addAppender(log);
        fx = BrowserFixture.start(dir,
                List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440"),
                List.of("-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "30", "-c:a", "aac", "-t", "60"),
                "live/obs?vhost=push.example.com", new StreamKey("push.example.com", "live", "obs"),
                s -> s.bFrames() && s.gopCacheFrames() > 0, VireoServerHtml5OffTest::domains);
    }

    /** push.example.com (ingest) ← play.example.com (streaming, HTML5 transcoding off); no signing. */
    private static void domains(VireoServer server, VireoServer.BoundPorts ports) throws Exception {
        api(server, ports, "POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}", 201);
        api(server, ports, "POST", "/api/v1/domains", "{\"domain\":\"play.example.com\",\"type\":\"streaming\"}", 201);
        api(server, ports, "PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}", 200);
        for (String d : List.of("push.example.com", "play.example.com")) {
            api(server, ports, "PUT", "/api/v1/domains/" + d + "/signing", "{\"enabled\":false}", 200);
        }
        api(server, ports, "PATCH", "/api/v1/domains/play.example.com", "{\"html5Transcoding\":false}", 200);
    }

    private static void api(VireoServer server, VireoServer.BoundPorts ports, String method, String path, String json, int status) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + ports.http() + path))
                    .header("Authorization", "Bearer " + server.control().generatedAdminKey().orElseThrow())
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(VireoServer.class)).detachAppender(log);
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void whepPlaysTheSourceAsItIsVideoOnlyAndTheLogSaysWhy() {
        Chromium chromium = fx.chromium();
        chromium.open("http://127.0.0.1:" + fx.ports().http() + "/play/live/obs?vhost=play.example.com");
        Await.until(Duration.ofSeconds(40), "30 decoded frames",
                () -> field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > 30);
        assertThat(fx.server().whep().sessions()).singleElement()
                .satisfies(s -> assertThat(s.stream()).isEqualTo("/live/obs"));
        assertThat(fx.server().transcoder().jobs()).isEmpty();
        assertThat(fx.server().transcoder().jobsStarted()).isZero();
        // AAC cannot go over WebRTC: the answer has no audio to send
        assertThat(field(chromium.inboundRtp("vireo.pc", "audio"), "packetsReceived")).isLessThanOrEqualTo(0);
        synchronized (log) {
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m)
                    .contains("play.example.com", "HTML5 transcoding is off", "AAC"));
        }
    }
}
