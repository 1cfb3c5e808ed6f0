package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpPacket;

/**
 * What the peer's reception reports say about one sent stream (RFC 3550 §6.4.1): fraction and
 * cumulative loss, interarrival jitter and, through LSR/DLSR, the round-trip time. Read from any
 * thread (approximate), written on the session's loop.
 */
public final class ReportBlockStats implements RtcpHandler {

    private final int ssrc;
    private volatile int fractionLost = -1;
    private volatile long cumulativeLost;
    private volatile long jitter = -1;
    private volatile long rttNanos = -1;

    public ReportBlockStats(int ssrc) {
        this.ssrc = ssrc;
    }

    @Override
    public void handle(RtcpPacket packet, long nowNanos) {
        for (ReportBlock block : ReportBlock.in(packet)) {
            if (block.ssrc() == ssrc) {
                onBlock(block);
            }
        }
    }

    private void onBlock(ReportBlock block) {
        fractionLost = block.fractionLost();
        cumulativeLost = block.cumulativeLost();
        jitter = block.jitter();
        long arrival = NtpTime.compact(NtpTime.fromUnixMillis(System.currentTimeMillis()));
        long rtt = NtpTime.roundTripNanos(arrival, block.lastSenderReport(), block.delaySinceLastSenderReport());
        if (rtt >= 0) {
            rttNanos = rtt;
        }
    }

    /** The last reported fraction lost (0..1), -1 before a report. */
    public double fractionLost() {
        int f = fractionLost;
        return f < 0 ? -1 : f / 256.0;
    }

    public long cumulativeLost() {
        return cumulativeLost;
    }

    /** Interarrival jitter in RTP timestamp units, -1 before a report. */
    public long jitter() {
        return jitter;
    }

    /** The round-trip time, -1 before a report that carries LSR/DLSR. */
    public long rttNanos() {
        return rttNanos;
    }

    public long rttMillis() {
        long r = rttNanos;
        return r < 0 ? -1 : r / 1_000_000;
    }
}
