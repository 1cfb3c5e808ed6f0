package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.GenericNack;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Answers generic NACKs for one sent stream (RFC 4585 §6.2.1): every sequence number the peer
 * reports lost is resent from the sender's history while it is still there (as RTX, RFC 4588,
 * when negotiated: the {@link Retransmitter} decides).
 */
public final class NackResponder implements RtcpHandler {

    /** Resends one packet of the stream; false when it is no longer in the history (or too recent). */
    @FunctionalInterface
    public interface Retransmitter {
        boolean retransmit(int sequence, long nowNanos, long rttNanos);
    }

    private final int ssrc;
    private final Retransmitter sender;
    private final LongSupplier rttNanos;
    private final IntConsumer onNacked;
    private final Runnable onRetransmission;
    private long nacked;
    private long retransmitted;

    /**
     * @param rttNanos the current round-trip estimate, -1 when unknown (a packet resent less than
     *     a round trip ago is not resent again)
     * @param onNacked counts sequence numbers reported lost (metrics)
     * @param onRetransmission counts packets resent (metrics)
     */
    public NackResponder(int ssrc, Retransmitter sender, LongSupplier rttNanos, IntConsumer onNacked,
                         Runnable onRetransmission) {
        this.ssrc = ssrc;
        this.sender = sender;
        this.rttNanos = rttNanos;
        this.onNacked = onNacked;
        this.onRetransmission = onRetransmission;
    }

    @Override
    public void handle(RtcpPacket packet, long nowNanos) {
        if (!(packet instanceof GenericNack nack) || nack.mediaSsrc() != ssrc) {
            return;
        }
        int[] lost = nack.lostSequenceNumbers();
        nacked += lost.length;
        onNacked.accept(lost.length);
        long rtt = rttNanos.getAsLong();
        for (int seq : lost) {
            if (sender.retransmit(seq, nowNanos, rtt)) {
                retransmitted++;
                onRetransmission.run();
            }
        }
    }

    /** Sequence numbers the peer reported lost. */
    public long nacked() {
        return nacked;
    }

    /** Packets resent. */
    public long retransmitted() {
        return retransmitted;
    }
}
