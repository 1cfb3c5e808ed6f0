package dev.vireo.webrtc.bwe;

/**
 * Packet groups and their inter-arrival delay variation, draft-ietf-rmcat-gcc-02 §5.2: packets
 * sent within {@link #BURST_NANOS} of a group's first form one group (a video frame's packets);
 * for two consecutive groups, the inter-departure time {@code T(i) - T(i-1)} (their last send
 * times) and inter-arrival time {@code t(i) - t(i-1)} (their last arrival times) give the delay
 * variation {@code d(i) = t(i) - t(i-1) - (T(i) - T(i-1))}. A packet that arrives less than 5 ms
 * after the previous one with a negative delay variation belongs to the current group too (§5.2:
 * bursts caused by the channel, not the sender), up to 100 ms of group. Reordered packets are
 * skipped; an arrival clock that jumps (inter-arrival over 3 s more than the send side) resets.
 * Not thread-safe; times are arguments.
 */
public final class InterArrival {

    /** §5.2 burst_time: groups span 5 ms of send time. */
    public static final long BURST_NANOS = 5_000_000;
    private static final long MAX_BURST_NANOS = 100_000_000;
    private static final long CLOCK_JUMP_NANOS = 3_000_000_000L;

    /** The delays between two complete groups, in nanoseconds. */
    public record Deltas(long sendDeltaNanos, long arrivalDeltaNanos, long arrivalNanos) {
        /** {@code d(i)} in milliseconds. */
        public double delayVariationMs() {
            return (arrivalDeltaNanos - sendDeltaNanos) / 1e6;
        }
    }

    private final Group current = new Group();
    private final Group previous = new Group();

    private static final class Group {
        boolean empty = true;
        long firstSend;
        long lastSend;
        long firstArrival;
        long lastArrival;

        void start(long send, long arrival) {
            empty = false;
            firstSend = send;
            lastSend = send;
            firstArrival = arrival;
            lastArrival = arrival;
        }

        void copy(Group o) {
            empty = o.empty;
            firstSend = o.firstSend;
            lastSend = o.lastSend;
            firstArrival = o.firstArrival;
            lastArrival = o.lastArrival;
        }
    }

    /**
     * Adds a received packet, in arrival order; returns the deltas between the two previous
     * groups when this packet starts a new one, else null.
     */
    public Deltas onPacket(long sendNanos, long arrivalNanos) {
        if (current.empty) {
            current.start(sendNanos, arrivalNanos);
            return null;
        }
        if (sendNanos < current.firstSend) {
            return null; // reordered: sent before the group it arrives in
        }
        if (!startsNewGroup(sendNanos, arrivalNanos)) {
            current.lastSend = Math.max(current.lastSend, sendNanos);
            current.lastArrival = Math.max(current.lastArrival, arrivalNanos);
            return null;
        }
        Deltas deltas = null;
        if (!previous.empty) {
            long sendDelta = current.lastSend - previous.lastSend;
            long arrivalDelta = current.lastArrival - previous.lastArrival;
            if (arrivalDelta - sendDelta >= CLOCK_JUMP_NANOS || arrivalDelta < 0) {
                // the receiver's clock jumped, or groups arrived reordered: start over
                previous.empty = true;
                current.start(sendNanos, arrivalNanos);
                return null;
            }
            deltas = new Deltas(sendDelta, arrivalDelta, current.lastArrival);
        }
        previous.copy(current);
        current.start(sendNanos, arrivalNanos);
        return deltas;
    }

    private boolean startsNewGroup(long send, long arrival) {
        long arrivalDelta = arrival - current.lastArrival;
        long sendDelta = send - current.lastSend;
        if (sendDelta == 0) {
            return false;
        }
        if (arrivalDelta - sendDelta < 0 && arrivalDelta <= BURST_NANOS
                && arrival - current.firstArrival < MAX_BURST_NANOS) {
            return false; // §5.2: a burst of the channel
        }
        return send - current.firstSend > BURST_NANOS;
    }
}
