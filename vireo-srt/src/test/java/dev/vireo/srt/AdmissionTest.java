package dev.vireo.srt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.Test;

/** The listen callback's decisions, without a network: streamid, gate verdicts and hub state to codes. */
class AdmissionTest {

    private final StreamHub hub = new StreamHub(HubConfig.defaults(), GlobalEventExecutor.INSTANCE);

    private static Gate denying(String reason) {
        return r -> new Gate.Deny(403, reason);
    }

    @Test
    void gateRefusalsMapToSrtRejectCodes() {
        assertThat(decide(denying("denied by req auth: invalid md5hash=abc"), "#!::r=live/a,m=publish"))
                .isEqualTo(new Admission.Reject(1401, "denied by req auth: invalid md5hash=abc"));
        assertThat(decideReject(denying("denied by req auth: expired timestamp=1"), "#!::r=live/a,m=publish").code()).isEqualTo(1401);
        assertThat(decideReject(denying("domain x.example.com is not configured on this server"), "#!::h=x.example.com,r=live/a,m=publish").code())
                .isEqualTo(1404);
        assertThat(decideReject(denying("stream /live/a is forbidden"), "#!::r=live/a,m=publish").code()).isEqualTo(1403);
        assertThat(decideReject(denying("domain d has reached its limit of 300 live streams"), "#!::r=live/a,m=publish").code()).isEqualTo(1403);
        assertThat(decideReject(Gate.allowAll(), "").code()).isEqualTo(1400);
        assertThat(decideReject(Gate.allowAll(), "#!::r=live/a,m=push").code()).isEqualTo(1405);
    }

    @Test
    void theGateSeesWhatTheStreamIdSays() {
        Gate.AccessRequest[] seen = new Gate.AccessRequest[1];
        Gate recording = r -> {
            seen[0] = r;
            return new Gate.Allow(new StreamKey("push.example.com", r.app(), r.stream()));
        };
        Admission.Decision d = new Admission(recording, hub, k -> "pass-for-" + k.stream())
                .decide("#!::h=push.example.com,r=/live/cam?auth_key=1-0-0-ff,m=publish,u=bob", "10.0.0.1:5000");
        assertThat(seen[0]).isEqualTo(new Gate.AccessRequest(Gate.Action.PUBLISH, "srt", "push.example.com", "live", "cam",
                "", "auth_key=1-0-0-ff", "10.0.0.1:5000"));
        assertThat(d).isInstanceOfSatisfying(Admission.Accept.class, a -> {
            assertThat(a.key()).isEqualTo(new StreamKey("push.example.com", "live", "cam"));
            assertThat(a.passphrase()).isEqualTo("pass-for-cam");
        });
    }

    @Test
    void aSecondPublisherIsAConflictAndPlayingNothingIsNotFound() throws Exception {
        assertThat(decideReject(Gate.allowAll(), "#!::r=live/none,m=request").code()).isEqualTo(1404);
        assertThat(decide(Gate.allowAll(), "#!::r=live/none_lld,m=request")).isInstanceOf(Admission.Accept.class);
        try (Publication p = hub.publish(new StreamKey(StreamKey.DEFAULT_VHOST, "live", "busy"), "first", r -> { })) {
            assertThat(decideReject(Gate.allowAll(), "#!::r=live/busy,m=publish").code()).isEqualTo(1409);
            assertThat(decide(Gate.allowAll(), "#!::r=live/busy,m=request")).isInstanceOf(Admission.Accept.class);
        }
    }

    /** A live key whose SRT publisher's connection is gone or stale is taken by the next publisher. */
    @Test
    void aGoneOrStaleSrtHolderIsReplacedNotAConflict() throws Exception {
        StreamKey key = new StreamKey(StreamKey.DEFAULT_VHOST, "live", "held");
        java.util.Set<StreamKey> gone = new java.util.HashSet<>();
        Admission admission = new Admission(Gate.allowAll(), hub, k -> "", k -> false, gone::contains);
        try (Publication p = hub.publish(key, "first", r -> { })) {
            assertThat(admission.decide("#!::r=live/held,m=publish", "127.0.0.1:1"))
                    .isEqualTo(new Admission.Reject(1409, "stream /live/held is already being published"));
            gone.add(key);
            assertThat(admission.decide("#!::r=live/held,m=publish", "127.0.0.1:1")).isInstanceOf(Admission.Accept.class);
        }
    }

    /** On an edge: a player of a key another node publishes is admitted (its subscription pulls it). */
    @Test
    void aKeyPublishedOnAnotherNodeMayBePlayed() {
        StreamKey elsewhere = new StreamKey(StreamKey.DEFAULT_VHOST, "live", "there");
        Admission edge = new Admission(Gate.allowAll(), hub, k -> "", elsewhere::equals);
        assertThat(edge.decide("#!::r=live/there,m=request", "127.0.0.1:1")).isInstanceOf(Admission.Accept.class);
        assertThat(edge.decide("#!::r=live/nowhere,m=request", "127.0.0.1:1"))
                .isEqualTo(new Admission.Reject(1404, "stream /live/nowhere is not live"));
        // publishing it here is the cluster's business (the hub's guard), not the handshake's
        assertThat(edge.decide("#!::r=live/there,m=publish", "127.0.0.1:1")).isInstanceOf(Admission.Accept.class);
    }

    private Admission.Reject decideReject(Gate gate, String sid) {
        return (Admission.Reject) new Admission(gate, hub, k -> "").decide(sid, "127.0.0.1:1");
    }

    private Admission.Decision decide(Gate gate, String sid) {
        return new Admission(gate, hub, k -> "").decide(sid, "127.0.0.1:1");
    }
}
