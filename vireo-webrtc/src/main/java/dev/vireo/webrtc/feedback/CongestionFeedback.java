package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.bwe.BandwidthEstimator;
import dev.vireo.webrtc.rtcp.ReceiverEstimatedMaxBitrate;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import java.util.function.LongSupplier;

/**
 * Feeds a viewer's congestion feedback into its {@link BandwidthEstimator}: transport-wide CC
 * feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) drives the delay- and
 * loss-based estimate, a REMB (draft-alvestrand-rmcat-remb-03 §2) bounds it, and the receiver
 * reports' fraction lost of the main stream (RFC 3550 §6.4.1) stands in for the feedback's loss
 * when transport-cc was not negotiated. The round-trip time comes from the report statistics
 * beside this handler. The packets sent are recorded by the sender, not here.
 */
public final class CongestionFeedback implements RtcpHandler {

    private final BandwidthEstimator estimator;
    private final int mediaSsrc;
    private final LongSupplier rttNanos;
    private volatile long feedbacks;
    private volatile boolean heard;

    /**
     * @param mediaSsrc the SSRC whose report blocks carry the loss (the video's, else the audio's)
     * @param rttNanos  the latest round-trip time, or -1 while unknown
     */
    public CongestionFeedback(BandwidthEstimator estimator, int mediaSsrc, LongSupplier rttNanos) {
        this.estimator = estimator;
        this.mediaSsrc = mediaSsrc;
        this.rttNanos = rttNanos;
    }

    @Override
    public void handle(RtcpPacket packet, long nowNanos) {
        switch (packet) {
            case TransportCcFeedback twcc -> {
                estimator.onRtt(rttNanos.getAsLong());
                estimator.onTransportFeedback(twcc, nowNanos);
                feedbacks++;
                heard = true;
            }
            case ReceiverEstimatedMaxBitrate remb -> {
                estimator.onRemb(remb.bitrate(), nowNanos);
                heard = true;
            }
            default -> onBlocks(packet, nowNanos); // a receiver or sender report's blocks
        }
    }

    private void onBlocks(RtcpPacket packet, long nowNanos) {
        for (ReportBlock b : ReportBlock.in(packet)) {
            if (b.ssrc() == mediaSsrc) {
                estimator.onRtt(rttNanos.getAsLong());
                estimator.onReceiverReport(b.fractionLost(), nowNanos);
            }
        }
    }

    /** The estimate in bit/s, or -1 while no transport-cc feedback or REMB came (nothing to go by). */
    public long estimateBps() {
        return heard ? estimator.estimateBps() : -1;
    }

    /**
     * What retransmissions are budgeted against ({@link BandwidthEstimator#retransmissionBps()}),
     * or -1 while nothing was heard. On the session's loop.
     */
    public long retransmissionBps() {
        return heard ? estimator.retransmissionBps() : -1;
    }

    /** Transport-cc feedbacks that went into the estimate. */
    public long feedbacks() {
        return feedbacks;
    }

    public BandwidthEstimator estimator() {
        return estimator;
    }
}
