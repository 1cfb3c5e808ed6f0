package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.whep.probe.ProbeOutcomes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/** The meters every WHEP session counts into (registered once per server). */
final class WhepMetrics {

    /** Bucket bounds (µs) of the egress delay histogram: fine around the 5 ms the fan-out aims at. */
    private static final Duration[] EGRESS_DELAY_BUCKETS = LongStream.of(
            100, 250, 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 15_000, 20_000, 30_000, 50_000,
            100_000, 250_000, 500_000, 1_000_000).mapToObj(micros -> Duration.ofNanos(micros * 1_000))
            .toArray(Duration[]::new);

    private final Counter bytesOut;
    private final Counter dropped;
    private final Counter retransmissions;
    private final Counter nacked;
    private final Counter keyframeRequests;
    private final Timer egressDelay;
    private final DistributionSummary bandwidthEstimate;
    private final Map<ProbeOutcomes.Outcome, Counter> probeClusters = new EnumMap<>(ProbeOutcomes.Outcome.class);

    WhepMetrics(MeterRegistry registry) {
        bytesOut = Counter.builder("vireo.egress.bytes").baseUnit("bytes").tag("protocol", WhepPlayback.PROTOCOL)
                .description("media bytes sent to viewers").register(registry);
        dropped = Counter.builder("vireo.viewers.dropped").tag("protocol", WhepPlayback.PROTOCOL)
                .description("viewers disconnected for being too slow").register(registry);
        retransmissions = Counter.builder("vireo.webrtc.retransmissions")
                .description("RTP packets resent for NACKs").register(registry);
        nacked = Counter.builder("vireo.webrtc.nacked")
                .description("sequence numbers WebRTC viewers reported lost").register(registry);
        keyframeRequests = Counter.builder("vireo.webrtc.keyframe.requests")
                .description("PLI and FIR received from WebRTC viewers").register(registry);
        // Server-added latency: from a frame's arrival (its ingest) to its packets queued on the
        // media socket for one viewer; a histogram so that percentiles can be taken over any window.
        egressDelay = Timer.builder("vireo.webrtc.egress.delay")
                .description("live frame arrival to its RTP packets queued for a WHEP viewer")
                .serviceLevelObjectives(EGRESS_DELAY_BUCKETS).register(registry);
        // One sample per viewer per second: the distribution of the viewers' estimates, no tag per session.
        bandwidthEstimate = DistributionSummary.builder("vireo.webrtc.bandwidth.estimate").baseUnit("bits/s")
                .description("WHEP viewers' bandwidth estimates, sampled once a second per viewer")
                .serviceLevelObjectives(100e3, 250e3, 500e3, 1e6, 2e6, 4e6, 8e6, 16e6).register(registry);
        // Bandwidth probing of viewers below the top of their ladder: one counter per outcome.
        for (ProbeOutcomes.Outcome o : ProbeOutcomes.Outcome.values()) {
            probeClusters.put(o, Counter.builder("vireo.webrtc.probe.clusters").tag("outcome", o.tag())
                    .description("probe clusters of WHEP viewers: sent or abandoned, then each sent one's verdict")
                    .register(registry));
        }
    }

    void probeCluster(ProbeOutcomes.Outcome outcome) {
        probeClusters.get(outcome).increment();
    }

    void bandwidthEstimate(long bps) {
        bandwidthEstimate.record(bps);
    }

    void bytesOut(long n) {
        bytesOut.increment(n);
    }

    void slowViewerDropped() {
        dropped.increment();
    }

    void retransmission() {
        retransmissions.increment();
    }

    void nacked(int n) {
        nacked.increment(n);
    }

    void keyframeRequest() {
        keyframeRequests.increment();
    }

    void egressDelay(long nanos) {
        egressDelay.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** RTP packets resent for NACKs since start, all sessions. */
    long retransmissions() {
        return (long) retransmissions.count();
    }
}
