package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.feedback.BandwidthStats;
import dev.vireo.webrtc.feedback.CongestionFeedback;
import dev.vireo.webrtc.feedback.FecOnLoss;
import dev.vireo.webrtc.feedback.KeyframeRequests;
import dev.vireo.webrtc.feedback.NackResponder;
import dev.vireo.webrtc.feedback.ReportBlockStats;
import dev.vireo.webrtc.feedback.RtcpChain;
import dev.vireo.webrtc.rtcp.RtcpException;
import io.netty.buffer.ByteBuf;

/**
 * A WHEP viewer's RTCP feedback as one {@link RtcpChain} (RFC 4585 feedback and RFC 3550 reports,
 * each concern a handler): for the video, report statistics (loss, jitter, RTT), NACKs answered by
 * the viewer's {@code whep.retransmit.VideoRetransmitter}, keyframe requests, and FEC on loss
 * where negotiated; audio NACKs where negotiated; REMB and transport-cc counts; and the
 * congestion feedback that drives the viewer's {@link BandwidthEstimator}. The handlers stay
 * readable for the session's stats. On the session's loop; the counters are read anywhere.
 */
final class ViewerFeedback {

    private final RtcpChain chain;
    private final BandwidthStats bandwidth = new BandwidthStats();
    private final ReportBlockStats reports;
    private final NackResponder nacks;
    /** Generic NACK on the audio, where the peer negotiated it (RFC 4585 §6.2.1); else null. */
    private final NackResponder audioNacks;
    private final KeyframeRequests keyframeRequests;
    private final FecOnLoss fec;
    private final CongestionFeedback congestion;

    ViewerFeedback(ViewerRtp out, int audioSsrc, BandwidthEstimator estimator, WhepMetrics metrics,
                   KeyframeRequests.Listener onKeyframeRequest) {
        RtcpChain.Builder builder = RtcpChain.builder();
        if (out.hasVideo()) {
            reports = new ReportBlockStats(out.videoSsrc());
            nacks = new NackResponder(out.videoSsrc(), out.retransmitter(), reports::rttNanos, metrics::nacked,
                    metrics::retransmission);
            keyframeRequests = new KeyframeRequests(out.videoSsrc(), onKeyframeRequest);
            builder.add(reports).add(nacks).add(keyframeRequests);
            fec = out.canFec() ? new FecOnLoss(out.videoSsrc()) : null;
            if (fec != null) {
                out.fec(fec::groupSize);
                builder.add(fec);
            }
        } else {
            reports = null;
            nacks = null;
            keyframeRequests = null;
            fec = null;
        }
        ReportBlockStats rtt = reports;
        if (out.audioRetransmitter() != null) {
            audioNacks = new NackResponder(out.audioSsrc(), out.audioRetransmitter(),
                    rtt == null ? () -> -1 : rtt::rttNanos, metrics::nacked, metrics::retransmission);
            builder.add(audioNacks);
        } else {
            audioNacks = null;
        }
        congestion = new CongestionFeedback(estimator, out.hasVideo() ? out.videoSsrc() : audioSsrc,
                rtt == null ? () -> -1 : rtt::rttNanos);
        chain = builder.add(bandwidth).add(congestion).build();
    }

    /** An SRTCP-decrypted compound packet from the viewer. */
    void receive(ByteBuf compound, long nowNanos) throws RtcpException {
        chain.receive(compound, nowNanos);
    }

    CongestionFeedback congestion() {
        return congestion;
    }

    /** Null without video. */
    ReportBlockStats reports() {
        return reports;
    }

    /** Null without video. */
    NackResponder nacks() {
        return nacks;
    }

    /** Null unless the viewer NACKs audio. */
    NackResponder audioNacks() {
        return audioNacks;
    }

    /** Null without video. */
    KeyframeRequests keyframeRequests() {
        return keyframeRequests;
    }

    /** Whether the viewer's video gets FEC now. */
    boolean fecOn() {
        return fec != null && fec.on();
    }

    BandwidthStats bandwidth() {
        return bandwidth;
    }
}
