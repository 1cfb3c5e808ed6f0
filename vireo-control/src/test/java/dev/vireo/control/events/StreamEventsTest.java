package dev.vireo.control.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamEventsTest {

    private final DefaultEventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamEvents events = new StreamEvents(Clock.fixed(Instant.parse("2026-12-07T03:00:00Z"), ZoneOffset.UTC));

    @AfterEach
    void stop() {
        hub.close();
        timer.shutdownGracefully();
    }

    private static Gate.AccessRequest play(String host, String app, String stream) {
        return new Gate.AccessRequest(Gate.Action.PLAY, "http-flv", host, app, stream, ".flv", "", "192.0.2.7");
    }

    @Test
    void publishUnpublishAndAKickAreRecordedWithTheSession() throws Exception {
        hub.addListener(events);
        StreamKey key = new StreamKey("push.example.com", "live", "demo");
        Publication p = hub.publish(key, "s1", reason -> { });
        p.close();
        Publication again = hub.publish(key, "s2", reason -> { });
        hub.kick(key, "publisher kicked by the administrator");
        again.close();
        List<StreamEvents.Event> recent = events.recent("live", "demo");
        assertThat(recent).extracting(StreamEvents.Event::kind).startsWith("publish", "unpublish", "publish")
                .contains("end");
        assertThat(recent.getFirst()).satisfies(e -> {
            assertThat(e.session()).isEqualTo("s1");
            assertThat(e.domain()).isEqualTo("push.example.com");
            assertThat(e.at()).isEqualTo("2026-12-07T03:00:00Z");
        });
        assertThat(recent).filteredOn(e -> e.kind().equals("end")).extracting(StreamEvents.Event::detail)
                .contains("publisher kicked by the administrator");
        assertThat(events.recent("live", "other")).isEmpty();
    }

    @Test
    void theGateRecordsRefusalsWithTheirReasonAndNothingForAllowedRequests() {
        Gate inner = r -> r.stream().equals("ok") ? new Gate.Allow(new StreamKey("push.example.com", r.app(), r.stream()))
                : new Gate.Deny(403, "denied by req auth: invalid md5hash=abc");
        Gate gate = events.recording(inner);
        assertThat(gate.admit(play("play.example.com", "live", "ok"))).isInstanceOf(Gate.Allow.class);
        assertThat(gate.admit(play("play.example.com", "live", "demo"))).isInstanceOf(Gate.Deny.class);
        assertThat(events.recent("live", "ok")).isEmpty();
        assertThat(events.recent("live", "demo")).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("refused");
            assertThat(e.action()).isEqualTo("play");
            assertThat(e.protocol()).isEqualTo("http-flv");
            assertThat(e.domain()).isEqualTo("play.example.com");
            assertThat(e.detail()).isEqualTo("403 denied by req auth: invalid md5hash=abc");
        });
    }

    @Test
    void historyIsBoundedPerStreamAndInStreams() {
        Gate gate = events.recording(r -> new Gate.Deny(403, "no " + r.stream()));
        for (int i = 0; i < StreamEvents.PER_STREAM + 10; i++) {
            gate.admit(play("h", "live", "flooded"));
        }
        assertThat(events.recent("live", "flooded")).hasSize(StreamEvents.PER_STREAM);
        // a flood of invented names forgets the least recently touched streams, not the memory bound
        gate.admit(play("h", "live", "kept"));
        for (int i = 0; i < StreamEvents.STREAMS; i++) {
            if (i % 100 == 0) {
                events.recent("live", "kept"); // read: recently used
                gate.admit(play("h", "live", "kept"));
            }
            gate.admit(play("h", "live", "x" + i));
        }
        assertThat(events.recent("live", "kept")).isNotEmpty();
        assertThat(events.recent("live", "flooded")).isEmpty();
        assertThat(events.recent("live", "x0")).isEmpty();
        assertThat(events.recent("live", "x" + (StreamEvents.STREAMS - 1))).hasSize(1);
    }
}
