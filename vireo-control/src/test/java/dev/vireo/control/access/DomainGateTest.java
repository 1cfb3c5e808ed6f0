package dev.vireo.control.access;

import static dev.vireo.control.access.TestDomains.ingest;
import static dev.vireo.control.access.TestDomains.signed;
import static dev.vireo.control.access.TestDomains.streaming;
import static dev.vireo.control.access.TestDomains.sub;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.SigningConfig;
import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DomainGateTest {

    private static final long NOW = 1_700_000_000L;

    private final DefaultEventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final AtomicReference<ControlState> state = new AtomicReference<>(ControlState.EMPTY);
    private final TestClock clock = new TestClock(Instant.ofEpochSecond(NOW));
    private final DomainGate gate = new DomainGate(state::get, hub, clock, new AuthThrottle(AuthThrottle.Policy.defaults()),
            false, null);

    @AfterEach
    void stop() {
        hub.close();
        timer.shutdownGracefully();
    }

    private void domains(Domain... ds) {
        domains(Map.of(), ds);
    }

    private void domains(Map<StreamKey, Instant> forbidden, Domain... ds) {
        Map<String, Domain> m = new HashMap<>();
        for (Domain d : ds) {
            m.put(d.name(), d);
        }
        state.set(new ControlState(m, Map.of(), forbidden, List.of(), Map.of(), 0));
    }

    private static Gate.AccessRequest publish(String host, String query) {
        return new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", host, "live", "demo", "", query, "10.0.0.9");
    }

    private static Gate.AccessRequest play(String protocol, String host, String ext, String query) {
        return new Gate.AccessRequest(Gate.Action.PLAY, protocol, host, "live", "demo", ext, query, "10.0.0.9");
    }

    private static StreamKey allowed(Gate.Verdict v) {
        assertThat(v).isInstanceOf(Gate.Allow.class);
        return ((Gate.Allow) v).key();
    }

    private static String denied(Gate.Verdict v) {
        assertThat(v).isInstanceOf(Gate.Deny.class);
        assertThat(((Gate.Deny) v).httpStatus()).isEqualTo(403);
        return ((Gate.Deny) v).reason();
    }

    @Test
    void withoutDomainsEverythingGoesToTheDefaultVhost() {
        assertThat(allowed(gate.admit(publish("203.0.113.7", "")))).isEqualTo(StreamKey.of("live", "demo"));
        assertThat(allowed(gate.admit(play("http-flv", "anything.example.com", ".flv", ""))))
                .isEqualTo(StreamKey.of("live", "demo"));
    }

    @Test
    void onceDomainsExistUnknownOnesAreRefused() {
        domains(ingest("push.example.com"));
        assertThat(denied(gate.admit(publish("other.example.com", ""))))
                .isEqualTo("domain other.example.com is not configured on this server");
        assertThat(denied(gate.admit(publish("127.0.0.1", "")))).isEqualTo("domain 127.0.0.1 is not configured on this server");
        assertThat(denied(gate.admit(publish("bad host\r\n", "")))).contains("(invalid name)");
    }

    @Test
    void playbackOnAStreamingDomainFindsTheIngestDomainsStream() {
        domains(ingest("push.example.com"), streaming("play.example.com", "push.example.com"));
        StreamKey published = allowed(gate.admit(publish("PUSH.example.com.", "")));
        assertThat(published).isEqualTo(new StreamKey("push.example.com", "live", "demo"));
        assertThat(allowed(gate.admit(play("http-flv", "play.example.com", ".flv", "")))).isEqualTo(published);
        assertThat(allowed(gate.admit(play("rtmp", "play.example.com", "", "")))).isEqualTo(published);
    }

    @Test
    void subStreamingDomainsPlayWhatTheirMainPlays() {
        domains(ingest("push.example.com"), streaming("play.example.com", "push.example.com"),
                sub("m.example.com", "play.example.com"));
        assertThat(allowed(gate.admit(play("rtmp", "m.example.com", "", ""))))
                .isEqualTo(new StreamKey("push.example.com", "live", "demo"));
    }

    @Test
    void domainTypesAndAssociationsAreEnforced() {
        domains(ingest("push.example.com"), streaming("play.example.com", "push.example.com"),
                streaming("lonely.example.com", null));
        assertThat(denied(gate.admit(publish("play.example.com", "")))).contains("is a streaming domain");
        assertThat(denied(gate.admit(play("rtmp", "push.example.com", "", "")))).contains("is an ingest domain");
        assertThat(denied(gate.admit(play("rtmp", "lonely.example.com", "", ""))))
                .isEqualTo("streaming domain lonely.example.com is not associated with an ingest domain");
    }

    @Test
    void anIpAddressNamesItsDomainWithTheVhostParameter() {
        domains(ingest("push.example.com"), streaming("play.example.com", "push.example.com"));
        assertThat(allowed(gate.admit(publish("127.0.0.1", "vhost=push.example.com"))).vhost()).isEqualTo("push.example.com");
        assertThat(allowed(gate.admit(play("http-flv", "[::1]", ".flv", "domain=play.example.com"))).vhost())
                .isEqualTo("push.example.com");
        assertThat(allowed(gate.admit(publish("", "vhost=push.example.com"))).vhost()).isEqualTo("push.example.com");
        // A real domain in the host is not overridden by a parameter.
        assertThat(denied(gate.admit(publish("play.example.com", "vhost=push.example.com")))).contains("streaming domain");
    }

    @Test
    void signingRefusalsCarryTheExactReasonText() {
        SigningConfig s = new SigningConfig(true, "primaryKey123", "secondaryKey456", 30);
        domains(signed(ingest("push.example.com"), s), signed(streaming("play.example.com", "push.example.com"), s));
        assertThat(denied(gate.admit(publish("push.example.com", "")))).isEqualTo("denied by req auth: missing auth_key");
        String primary = "auth_key=" + NOW + "-0-0-bd4b066bce891db825b0ef144688e07e";
        String secondary = "auth_key=" + NOW + "-0-0-6649890db650090cc6df0799c507f39e";
        assertThat(allowed(gate.admit(publish("push.example.com", primary))).vhost()).isEqualTo("push.example.com");
        assertThat(allowed(gate.admit(publish("push.example.com", secondary))).vhost()).isEqualTo("push.example.com");
        assertThat(denied(gate.admit(play("http-flv", "play.example.com", ".flv", primary))))
                .isEqualTo("denied by req auth: invalid md5hash=bd4b066bce891db825b0ef144688e07e");
        assertThat(allowed(gate.admit(play("http-flv", "play.example.com", ".flv",
                "auth_key=" + NOW + "-0-0-428bc86ea3ffbca5268e6f84088752f8"))).vhost()).isEqualTo("push.example.com");
        clock.set(Instant.ofEpochSecond(NOW + 30 * 60 + 1));
        assertThat(denied(gate.admit(publish("push.example.com", primary))))
                .isEqualTo("denied by req auth: expired timestamp=" + NOW);
    }

    @Test
    void signingIsPerDomain() {
        SigningConfig on = new SigningConfig(true, "primaryKey123", null, 30);
        domains(signed(ingest("push.example.com"), on), streaming("play.example.com", "push.example.com"));
        assertThat(denied(gate.admit(publish("push.example.com", "")))).isEqualTo("denied by req auth: missing auth_key");
        assertThat(allowed(gate.admit(play("rtmp", "play.example.com", "", ""))).vhost()).isEqualTo("push.example.com");
    }

    @Test
    void forbiddenStreamsAreRefusedUntilTheirTime() {
        StreamKey key = new StreamKey("push.example.com", "live", "demo");
        domains(Map.of(key, Instant.ofEpochSecond(NOW + 60)), ingest("push.example.com"),
                streaming("play.example.com", "push.example.com"));
        assertThat(denied(gate.admit(publish("push.example.com", ""))))
                .isEqualTo("stream /live/demo is forbidden until " + Instant.ofEpochSecond(NOW + 60));
        assertThat(allowed(gate.admit(play("rtmp", "play.example.com", "", "")))).as("viewers are not refused").isEqualTo(key);
        clock.set(Instant.ofEpochSecond(NOW + 60));
        assertThat(allowed(gate.admit(publish("push.example.com", "")))).isEqualTo(key);
    }

    @Test
    void offlineDomainsRtsAndTheStreamLimitAreEnforced() throws Exception {
        domains(TestDomains.with(ingest("push.example.com"), Domain.Status.ONLINE, true, 1),
                TestDomains.with(streaming("play.example.com", "push.example.com"), Domain.Status.ONLINE, false, 300),
                TestDomains.with(ingest("off.example.com"), Domain.Status.OFFLINE, true, 300));
        assertThat(denied(gate.admit(publish("off.example.com", "")))).isEqualTo("domain off.example.com is offline");
        assertThat(denied(gate.admit(play("whep", "play.example.com", "", ""))))
                .isEqualTo("RTS is not enabled on domain play.example.com");
        assertThat(allowed(gate.admit(play("http-flv", "play.example.com", ".flv", "")))).isNotNull();

        try (Publication p = hub.publish(new StreamKey("push.example.com", "live", "other"), "s1", r -> { })) {
            assertThat(p).isNotNull();
            assertThat(denied(gate.admit(publish("push.example.com", ""))))
                    .isEqualTo("domain push.example.com has reached its limit of 1 live streams");
        }
    }
}
