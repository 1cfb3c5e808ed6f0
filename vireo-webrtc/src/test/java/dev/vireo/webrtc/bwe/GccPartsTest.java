package dev.vireo.webrtc.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of GCC one by one, on hand-made inputs. */
class GccPartsTest {

    private static final long MS = 1_000_000;

    @Test
    void historyMatchesFeedbackAcrossTheSequenceWrap() {
        SendHistory history = new SendHistory();
        for (int i = 0; i < 4; i++) {
            history.onPacketSent(65_534 + i & 0xFFFF, 1000 + i, i * 10 * MS);
        }
        // 65534 at 1000 µs, 65535 lost, 0 at 1250 µs, 1 at 21000 µs (deltas in 250 µs)
        TransportCcFeedback fb = new TransportCcFeedback(1, 2, 65_534, 0, 0,
                new byte[] {1, 0, 1, 1}, new int[] {4, 0, 1, 79});
        List<PacketResult> results = history.onFeedback(fb);
        assertThat(results).extracting(PacketResult::sequence).containsExactly(65_534L, 65_535L, 65_536L, 65_537L);
        assertThat(results).extracting(PacketResult::size).containsExactly(1000, 1001, 1002, 1003);
        assertThat(results).extracting(PacketResult::arrivalNanos)
                .containsExactly(1_000_000L, PacketResult.LOST, 1_250_000L, 21_000_000L);
        assertThat(results.get(2).sendNanos()).isEqualTo(20 * MS);
        // the same feedback again: received packets are not counted twice; the lost one is reported again
        assertThat(history.onFeedback(fb)).extracting(PacketResult::sequence).containsExactly(65_535L);
        // feedback for sequence numbers never sent is ignored
        assertThat(history.onFeedback(new TransportCcFeedback(1, 2, 100, 0, 1, new byte[] {1}, new int[] {1}))).isEmpty();
    }

    @Test
    void historyUnwrapsTheReferenceTime() {
        SendHistory history = new SendHistory();
        history.onPacketSent(1, 100, 0);
        history.onPacketSent(2, 100, MS);
        // reference time 0x7FFFFF (signed: +8388607 · 64 ms), then it wraps to -0x800000
        List<PacketResult> a = history.onFeedback(new TransportCcFeedback(1, 2, 1, 0x7F_FFFF, 0, new byte[] {1}, new int[] {0}));
        List<PacketResult> b = history.onFeedback(new TransportCcFeedback(1, 2, 2, -0x80_0000, 1, new byte[] {1}, new int[] {0}));
        assertThat(b.get(0).arrivalNanos() - a.get(0).arrivalNanos()).isEqualTo(64 * MS);
    }

    @Test
    void groupsPacketsByFiveMillisecondsOfSendTime() {
        InterArrival ia = new InterArrival();
        // group 1: sent 0..4 ms; group 2: sent 10..14 ms; group 3 starts at 20 ms
        assertThat(ia.onPacket(0, 100 * MS)).isNull();
        assertThat(ia.onPacket(4 * MS, 104 * MS)).isNull();
        assertThat(ia.onPacket(10 * MS, 112 * MS)).isNull();
        assertThat(ia.onPacket(14 * MS, 118 * MS)).isNull();
        InterArrival.Deltas d = ia.onPacket(20 * MS, 126 * MS);
        assertThat(d.sendDeltaNanos()).isEqualTo(10 * MS);
        assertThat(d.arrivalDeltaNanos()).isEqualTo(14 * MS);
        assertThat(d.delayVariationMs()).isEqualTo(4.0);
        // a packet sent before the current group is reordered: ignored
        assertThat(ia.onPacket(15 * MS, 127 * MS)).isNull();

        // §5.2 bursts: a packet of a later send group arriving < 5 ms after the last, with a
        // negative delay variation, joins the group the channel bunched it with
        InterArrival burst = new InterArrival();
        burst.onPacket(0, 100 * MS);
        burst.onPacket(10 * MS, 200 * MS);
        assertThat(burst.onPacket(20 * MS, 203 * MS)).isNull(); // 3 ms after, sent 10 ms after: same group
        // the third group starts: the second ended with the packet sent at 20 ms
        assertThat(burst.onPacket(30 * MS, 220 * MS).sendDeltaNanos()).isEqualTo(20 * MS);
    }

    @Test
    void detectorSignalsOveruseOnlyAfterItLastsAndAdaptsItsThreshold() {
        OveruseDetector detector = new OveruseDetector();
        assertThat(detector.detect(20, 0.1, 5, 0)).isEqualTo(BandwidthUsage.NORMAL); // 2.5 ms over so far
        assertThat(detector.detect(20, 0.1, 5, 5 * MS)).isEqualTo(BandwidthUsage.NORMAL); // 7.5 ms
        assertThat(detector.detect(20, 0.1, 5, 10 * MS)).isEqualTo(BandwidthUsage.OVERUSING); // 12.5 ms > 10
        assertThat(detector.detect(-30, -0.1, 5, 15 * MS)).isEqualTo(BandwidthUsage.UNDERUSING);
        assertThat(detector.detect(0, 0, 5, 20 * MS)).isEqualTo(BandwidthUsage.NORMAL);
        // a small, steady gradient pulls the threshold down to its floor of 6
        for (int i = 0; i < 100; i++) {
            detector.detect(1, 0, 5, (25 + 100L * i) * MS);
        }
        assertThat(detector.threshold()).isEqualTo(6.0);
        // a gradient slightly above it raises it slowly (k_up), a spike beyond +15 not at all
        detector.detect(10, 0, 5, 10_100 * MS);
        assertThat(detector.threshold()).isBetween(6.0, 10.0);
        double before = detector.threshold();
        detector.detect(500, 0, 5, 10_200 * MS);
        assertThat(detector.threshold()).isEqualTo(before);
    }

    @Test
    void aimdDecreasesToBetaTimesTheIncomingRateAndIncreasesWhenNormal() {
        AimdRateController aimd = new AimdRateController(1_000_000, 10_000, 10_000_000);
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 800_000, 100 * MS, 0)).isEqualTo(680_000);
        // still over-using within the reduction interval: no second decrease
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 700_000, 100 * MS, 50 * MS)).isEqualTo(680_000);
        assertThat(aimd.update(BandwidthUsage.UNDERUSING, 700_000, 100 * MS, 150 * MS)).isEqualTo(680_000); // hold
        aimd.update(BandwidthUsage.NORMAL, 700_000, 100 * MS, 250 * MS); // hold -> increase
        long e = aimd.update(BandwidthUsage.NORMAL, 700_000, 100 * MS, 1_250 * MS);
        // near the capacity seen at the over-use (800 kbps): additive, 0.5 · 9600 bits / 0.2 s = 24 kbps/s
        assertThat(e).isBetween(680_000L + 20_000, 680_000L + 30_000);
        // an estimate above 1.5 · R_hat + 10 kbps (a probe cluster's) is held, not lowered (libwebrtc's AimdRateControl)
        assertThat(aimd.update(BandwidthUsage.NORMAL, 100_000, 100 * MS, 2_250 * MS)).isEqualTo(e);
        aimd.onProbe(2_000_000);
        assertThat(aimd.update(BandwidthUsage.NORMAL, 300_000, 100 * MS, 3_250 * MS)).isEqualTo(2_000_000);
        // ... until over-use
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 300_000, 100 * MS, 3_350 * MS)).isEqualTo(255_000);

        // the increase itself never goes above 1.5 · R_hat + 10 kbps
        AimdRateController growing = new AimdRateController(100_000, 10_000, 10_000_000);
        growing.update(BandwidthUsage.NORMAL, 90_000, 100 * MS, 0);
        for (int i = 1; i <= 10; i++) {
            growing.update(BandwidthUsage.NORMAL, 90_000, 100 * MS, i * 1_000 * MS);
        }
        assertThat(growing.estimateBps()).isEqualTo(145_000);
    }

    @Test
    void theRealRecorderAndHistoryAgreeOnArrivalGaps() {
        SendHistory history = new SendHistory();
        TransportCcRecorder recorder = new TransportCcRecorder(0);
        for (int i = 0; i < 10; i++) {
            history.onPacketSent(i, 500, i * 5 * MS);
            recorder.record(i, 30 * MS + i * 7 * MS);
        }
        List<PacketResult> r = history.onFeedback(recorder.feedback(1, 2));
        assertThat(r).hasSize(10);
        for (int i = 1; i < 10; i++) {
            assertThat(r.get(i).arrivalNanos() - r.get(i - 1).arrivalNanos()).isEqualTo(7 * MS);
        }
    }
}
