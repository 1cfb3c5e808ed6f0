package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.ReceiverEstimatedMaxBitrate;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;

/**
 * The peer's congestion feedback: its REMB estimate (draft-alvestrand-rmcat-remb) and the
 * transport-wide CC feedback it sends (draft-holmer-rmcat-transport-wide-cc-extensions-01):
 * counted here; a bandwidth estimator is a handler beside this one.
 */
public final class BandwidthStats implements RtcpHandler {

    private volatile long rembBitrate = -1;
    private volatile long twccFeedbacks;
    private volatile long twccNotReceived;

    @Override
    public void handle(RtcpPacket packet, long nowNanos) {
        switch (packet) {
            case ReceiverEstimatedMaxBitrate remb -> rembBitrate = remb.bitrate();
            case TransportCcFeedback twcc -> {
                twccFeedbacks++;
                twccNotReceived += twcc.packetStatusCount() - twcc.receivedCount();
            }
            default -> {
            }
        }
    }

    /** The last REMB estimate in bit/s, -1 before one. */
    public long rembBitrate() {
        return rembBitrate;
    }

    public long twccFeedbacks() {
        return twccFeedbacks;
    }

    /** Packets the transport-cc feedback reported not received. */
    public long twccNotReceived() {
        return twccNotReceived;
    }
}
