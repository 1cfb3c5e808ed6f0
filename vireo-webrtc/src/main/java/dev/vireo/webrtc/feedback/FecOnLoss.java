package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtp.UlpfecEncoder;

/**
 * When a viewer's video gets forward error correction (RFC 5109 ULPFEC): from the loss its
 * receiver reports say (RFC 3550 §6.4.1 fraction lost, the share lost before any retransmission),
 * smoothed over reports. FEC goes on above {@link #ON_LOSS} and off again only under
 * {@link #OFF_LOSS} (hysteresis: a link that hovers at the threshold does not flap); while on, one
 * FEC packet protects {@link UlpfecEncoder#groupSize} media packets for the smoothed loss, and a
 * keyframe (which every later frame of its GOP needs) gets twice as many. Viewers on a clean link
 * cost nothing. Written on the session's loop; the counters are read anywhere (approximate).
 */
public final class FecOnLoss implements RtcpHandler {

    /** Smoothed loss above which FEC goes on. */
    public static final double ON_LOSS = 0.03;
    /** Smoothed loss under which it goes off again. */
    public static final double OFF_LOSS = 0.01;
    /** Weight of a new report in the smoothed loss (reports come about once a second). */
    private static final double WEIGHT = 0.4;

    private final int ssrc;
    private double smoothed = -1;
    private volatile boolean on;
    private volatile long switches;

    /** @param ssrc the video SSRC whose report blocks count */
    public FecOnLoss(int ssrc) {
        this.ssrc = ssrc;
    }

    @Override
    public void handle(RtcpPacket packet, long nowNanos) {
        for (ReportBlock block : ReportBlock.in(packet)) {
            if (block.ssrc() == ssrc) {
                onFractionLost(block.lossRatio());
            }
        }
    }

    /** One report's fraction lost (0..1). */
    public void onFractionLost(double fraction) {
        smoothed = smoothed < 0 ? fraction : smoothed + WEIGHT * (fraction - smoothed);
        boolean next = on ? smoothed >= OFF_LOSS : smoothed > ON_LOSS;
        if (next != on) {
            on = next;
            switches++;
        }
    }

    public boolean on() {
        return on;
    }

    /** The smoothed loss, -1 before a report. */
    public double smoothedLoss() {
        return smoothed;
    }

    /** Times FEC went on or off. */
    public long switches() {
        return switches;
    }

    /**
     * Media packets per FEC packet for the next frame, 0 for none (FEC off).
     *
     * @param keyframe a keyframe is protected twice as densely
     */
    public int groupSize(boolean keyframe) {
        if (!on) {
            return 0;
        }
        int n = Math.max(2, UlpfecEncoder.groupSize(Math.max(smoothed, ON_LOSS)));
        return keyframe ? Math.max(2, n / 2) : n;
    }
}
