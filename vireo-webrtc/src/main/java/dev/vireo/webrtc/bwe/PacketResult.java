package dev.vireo.webrtc.bwe;

/**
 * What transport-wide feedback says of one packet we sent (draft-ietf-rmcat-gcc-02 §5.1 takes
 * these as its input): when we sent it, its size, and when it arrived on the receiver's clock.
 *
 * @param sequence     the unwrapped transport-wide sequence number
 * @param sendNanos    our send time
 * @param size         bytes on the wire (RTP header and payload)
 * @param arrivalNanos arrival time on the receiver's clock (an arbitrary origin), or
 *                     {@link #LOST} when the feedback reports it not received
 * @param probeCluster the {@link ProbeCluster} it was sent in, or -1
 */
public record PacketResult(long sequence, long sendNanos, int size, long arrivalNanos, int probeCluster) {

    public static final long LOST = Long.MIN_VALUE;

    /** A packet sent outside any probe cluster. */
    public PacketResult(long sequence, long sendNanos, int size, long arrivalNanos) {
        this(sequence, sendNanos, size, arrivalNanos, -1);
    }

    public boolean received() {
        return arrivalNanos != LOST;
    }
}
