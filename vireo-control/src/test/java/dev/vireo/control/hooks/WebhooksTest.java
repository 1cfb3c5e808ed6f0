package dev.vireo.control.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.TestPlane;
import dev.vireo.control.WebhookReceiver;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Webhooks against an in-process HTTP receiver: signature, retries with backoff, the publish hook. */
@Timeout(60)
class WebhooksTest {

    private static final String SECRET = "whsec-0123456789abcdef";
    private static final StreamKey KEY = new StreamKey("push.example.com", "live", "demo");

    @TempDir
    Path dir;

    private WebhookReceiver receiver;
    private TestPlane t;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
        t = new TestPlane(dir, Clock.systemUTC(), c -> c.withWebhooks(new ControlConfig.WebhookPolicy(4,
                Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2), 100)
                // The receiver is on loopback, which tenants' webhooks may only reach when allowed.
                .withAllow("127.0.0.1:" + receiver.port())));
        t.addDomain("push.example.com", "ingest");
        t.addDomain("play.example.com", "streaming");
        t.call("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}");
    }

    @AfterEach
    void stop() {
        t.close();
        receiver.close();
    }

    private void notifyTo(String domain, String path, boolean auth) {
        TestPlane.Answer a = t.call("PUT", "/api/v1/domains/" + domain + "/notify", "{\"url\":\"" + receiver.url(path)
                + "\",\"secret\":\"" + SECRET + "\",\"onPublishAuth\":" + auth + "}");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.json().has("secret")).as("a secret the caller chose is not echoed").isFalse();
    }

    private static void assertSigned(WebhookReceiver.Received r) {
        String ts = r.header("X-Vireo-Timestamp");
        assertThat(Long.parseLong(ts)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(30L));
        assertThat(r.header("X-Vireo-Signature")).isEqualTo("sha256=" + Webhooks.signature(SECRET, ts, r.body()));
        assertThat(r.header("X-Vireo-Signature")).isNotEqualTo("sha256=" + Webhooks.signature("other-secret-0123", ts,
                r.body()));
    }

    @Test
    void eventsAreSignedAndRetriedUntilTheReceiverTakesThem() throws Exception {
        notifyTo("push.example.com", "/hooks/push", false);
        receiver.script(new WebhookReceiver.Answer(500, "{}"), new WebhookReceiver.Answer(503, "{}"));
        try (Publication p = t.hub.publish(KEY, "session-1", reason -> { })) {
            Await.until(Duration.ofSeconds(10), "three attempts of the publish event",
                    () -> receiver.received("publish").size() == 3);
            List<WebhookReceiver.Received> tries = receiver.received("publish");
            assertThat(tries).extracting(r -> r.header("X-Vireo-Attempt")).containsExactly("1", "2", "3");
            assertThat(tries).extracting(r -> r.header("X-Vireo-Event-Id")).containsOnly(tries.getFirst()
                    .header("X-Vireo-Event-Id"));
            tries.forEach(WebhooksTest::assertSigned);
            JsonNode body = TestPlane.JSON.readTree(tries.getLast().body());
            assertThat(body.get("event").asText()).isEqualTo("publish");
            assertThat(body.get("domain").asText()).isEqualTo("push.example.com");
            assertThat(body.get("app").asText()).isEqualTo("live");
            assertThat(body.get("stream").asText()).isEqualTo("demo");
            assertThat(body.get("sessionId").asText()).isEqualTo("session-1");
            assertThat(tries.getLast().path()).isEqualTo("/hooks/push");
            assertThat(p.isRevoked()).as("an ordinary notify never kicks").isFalse();
        }
        Await.until(Duration.ofSeconds(10), "the unpublish event", () -> receiver.received("unpublish").size() == 1);
        assertSigned(receiver.received("unpublish").getFirst());
        Await.until(Duration.ofSeconds(5), "nothing pending", () -> t.plane.pendingWebhooks() == 0);
    }

    @Test
    void aFinishedRecordingIsToldToTheIngestDomain() throws Exception {
        notifyTo("push.example.com", "/hooks/push", false);
        t.plane.recordDone(KEY, "push.example.com/live/demo/20261207-000000-000.mp4", 12_345, 20_000, "rotation");
        Await.until(Duration.ofSeconds(10), "the record_done event", () -> receiver.received("record_done").size() == 1);
        WebhookReceiver.Received r = receiver.received("record_done").getFirst();
        assertSigned(r);
        JsonNode body = TestPlane.JSON.readTree(r.body());
        assertThat(body.get("domain").asText()).isEqualTo("push.example.com");
        assertThat(body.get("stream").asText()).isEqualTo("demo");
        assertThat(body.get("recording").get("file").asText()).endsWith("/live/demo/20261207-000000-000.mp4");
        assertThat(body.get("recording").get("bytes").asLong()).isEqualTo(12_345);
        assertThat(body.get("recording").get("durationMs").asLong()).isEqualTo(20_000);
        assertThat(body.get("recording").get("reason").asText()).isEqualTo("rotation");
    }

    @Test
    void deliveryStopsAfterTheLastAttempt() throws Exception {
        notifyTo("push.example.com", "/down", false);
        receiver.otherwise(new WebhookReceiver.Answer(500, "{}"));
        try (Publication p = t.hub.publish(KEY, "session-2", reason -> { })) {
            Await.until(Duration.ofSeconds(10), "the publish event given up",
                    () -> receiver.received("publish").size() == 4 && t.plane.pendingWebhooks() == 0);
            assertThat(receiver.received("publish")).extracting(r -> r.header("X-Vireo-Attempt"))
                    .containsExactly("1", "2", "3", "4");
            assertThat(p.isRevoked()).isFalse();
        }
    }

    @Test
    void playAndStopAlsoReachTheStreamingDomain() throws Exception {
        notifyTo("push.example.com", "/push", false);
        notifyTo("play.example.com", "/play", false);
        try (Publication p = t.hub.publish(KEY, "session-3", reason -> { })) {
            var viewer = new dev.vireo.core.Subscriber() {
                @Override
                public String id() {
                    return "viewer-1";
                }

                @Override
                public io.netty.util.concurrent.EventExecutor executor() {
                    return t.hubTimer;
                }

                @Override
                public void onFrame(dev.vireo.core.MediaFrame frame) {
                }

                @Override
                public void onEnd(String reason) {
                }
            };
            t.hub.subscribe(KEY, viewer).close();
            Await.until(Duration.ofSeconds(10), "play and stop at both domains", () ->
                    receiver.received("play").size() == 2 && receiver.received("stop").size() == 2);
            assertThat(receiver.received("play")).extracting(WebhookReceiver.Received::path)
                    .containsExactlyInAnyOrder("/push", "/play");
            assertThat(receiver.received("publish")).extracting(WebhookReceiver.Received::path).containsExactly("/push");
        }
    }

    @Test
    void aTranscodingOutputAndItsReaderAreNeitherPublisherNorViewer() throws Exception {
        notifyTo("push.example.com", "/push", true);
        StreamKey lld = new StreamKey("push.example.com", "live", "demo_lld");
        try (Publication p = t.hub.publish(KEY, "session-6", reason -> { });
             Publication out = t.hub.publishDerived(lld, "transcode-1", reason -> { })) {
            dev.vireo.core.Subscription job = t.hub.subscribe(KEY, subscriber("transcode-1", true));
            t.hub.subscribe(lld, subscriber("viewer-2", false)).close();
            job.close();
            Await.until(Duration.ofSeconds(10), "the publish, play and stop events", () ->
                    receiver.received("publish").size() == 1 && receiver.received("play").size() == 1
                            && receiver.received("stop").size() == 1 && t.plane.pendingWebhooks() == 0);
            // only the real publisher and the real viewer (of the output) were reported
            assertThat(receiver.received("publish").getFirst().bodyText()).contains("session-6");
            assertThat(receiver.received("play").getFirst().bodyText()).contains("viewer-2", "demo_lld");
            assertThat(receiver.received()).noneSatisfy(r -> assertThat(r.bodyText()).contains("transcode-1"));
            assertThat(t.hub.find(lld)).as("an output is never sent to the publish hook, so never kicked by it")
                    .isPresent();
        }
    }

    private dev.vireo.core.Subscriber subscriber(String id, boolean internal) {
        return new dev.vireo.core.Subscriber() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public io.netty.util.concurrent.EventExecutor executor() {
                return t.hubTimer;
            }

            @Override
            public void onFrame(dev.vireo.core.MediaFrame frame) {
            }

            @Override
            public void onEnd(String reason) {
            }

            @Override
            public boolean internal() {
                return internal;
            }
        };
    }

    @Test
    void thePublishHookCanDenyAndThePublisherIsKicked() throws Exception {
        notifyTo("push.example.com", "/auth", true);
        receiver.script(new WebhookReceiver.Answer(403, "{\"reason\":\"not on my watch\"}"));
        AtomicReference<String> revoked = new AtomicReference<>();
        Publication p = t.hub.publish(KEY, "session-4", revoked::set);
        Await.until(Duration.ofSeconds(10), "the publisher kicked", () -> revoked.get() != null);
        assertThat(revoked.get()).isEqualTo("not on my watch");
        assertThat(t.hub.find(KEY)).isEmpty();
        p.close();

        receiver.script(new WebhookReceiver.Answer(200, "{}"));
        try (Publication allowed = t.hub.publish(KEY, "session-5", revoked::set)) {
            Await.until(Duration.ofSeconds(10), "the hook answered", () -> receiver.received("publish").size() == 2
                    && t.plane.pendingWebhooks() == 0);
            assertThat(allowed.isRevoked()).isFalse();
            assertThat(t.hub.find(KEY)).isPresent();
        }
    }

    @Test
    void aGeneratedSecretIsShownOnce() {
        TestPlane.Answer a = t.call("PUT", "/api/v1/domains/push.example.com/notify", "{\"url\":\"" + receiver.url("/x") + "\"}");
        assertThat(a.json().get("secret").asText()).matches("[0-9a-f]{32}");
        assertThat(t.call("GET", "/api/v1/domains/push.example.com/notify", null).json().has("secret")).isFalse();
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/notify", "{\"url\":\"ftp://x.example.com/\"}").code())
                .isEqualTo("InvalidParameter");
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/notify", "{\"url\":\"" + receiver.url("/x")
                + "\",\"secret\":\"short\"}").code()).isEqualTo("InvalidParameter");
    }
}
