package dev.vireo.webrtc.bwe;

/**
 * A viewer's transport-wide sequence numbers (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §2: one 16-bit counter over every RTP packet of the session, media and retransmissions alike),
 * and the record of each numbered packet's size and send time in the viewer's
 * {@link BandwidthEstimator} so its transport-cc feedback can be matched. Without transport-cc
 * negotiated there is no estimator to tell (the numbers are then not written either). On the
 * session's loop only.
 */
public final class TransportSequencer {

    private final BandwidthEstimator estimator;
    private int next;

    /** @param estimator where sent packets are recorded, or null when transport-cc is not negotiated */
    public TransportSequencer(BandwidthEstimator estimator) {
        this.estimator = estimator;
    }

    /**
     * The number of the packet about to leave.
     *
     * @param size its RTP header and payload, in bytes
     */
    public int next(int size, long nowNanos) {
        int s = next;
        next = s + 1 & 0xFFFF;
        if (estimator != null) {
            estimator.onPacketSent(s, size, nowNanos);
        }
        return s;
    }

    /** Whether sent packets are recorded (transport-cc negotiated). */
    public boolean numbering() {
        return estimator != null;
    }
}
