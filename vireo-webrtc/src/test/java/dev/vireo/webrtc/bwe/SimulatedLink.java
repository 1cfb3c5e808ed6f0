package dev.vireo.webrtc.bwe;

import dev.vireo.webrtc.pacing.BitrateProber;
import dev.vireo.webrtc.rtcp.TransportCcFeedback;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * A simulated path for {@link BandwidthEstimator} tests, stepped 1 ms at a time on a simulated
 * clock: a sender paces 1200-byte packets at {@link #sendRateBps} (by default the estimate), a
 * bottleneck of {@code capacityBps} queues them (FIFO, tail drop beyond 1 s of queue), a random
 * share is lost, the receiver records arrivals with the real {@link TransportCcRecorder} and
 * sends feedback every 100 ms, which reaches the sender one propagation delay later.
 */
public final class SimulatedLink {

    public static final int PACKET = 1200;
    public static final long MS = 1_000_000;

    final BandwidthEstimator estimator;
    public long capacityBps;
    public double loss;
    final long propagationNanos;
    private final Random random = new Random(18);
    private final TransportCcRecorder recorder = new TransportCcRecorder(0);
    private final PriorityQueue<long[]> inFlight = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0])); // {arrival, seq}
    private final ArrayDeque<Object[]> feedbacks = new ArrayDeque<>(); // {dueNanos, feedback}
    private long now;
    private long linkFreeNanos;
    private double budgetBits;
    private int sequence = 65_000; // wraps during the run
    long maxQueueNanos;
    /** What the sender sends at: by default the estimate (an encoder that follows it). */
    public LongSupplier sendRateBps;
    /** A probe cluster being sent beside it, its packets tagged with the cluster's id; null: none. */
    public BitrateProber prober;

    public SimulatedLink(BandwidthEstimator estimator, long capacityBps, double loss, long propagationNanos) {
        this.estimator = estimator;
        this.capacityBps = capacityBps;
        this.loss = loss;
        this.propagationNanos = propagationNanos;
        this.sendRateBps = estimator::estimateBps;
    }

    public long now() {
        return now;
    }

    /** Runs {@code millis} of simulated time. */
    public void run(long millis) {
        for (long i = 0; i < millis; i++) {
            step();
        }
    }

    /** The queueing delay at the bottleneck now. */
    public long queueNanos() {
        return Math.max(0, linkFreeNanos - now);
    }

    private void step() {
        now += MS;
        while (!feedbacks.isEmpty() && (long) feedbacks.peekFirst()[0] <= now) {
            estimator.onTransportFeedback((TransportCcFeedback) feedbacks.removeFirst()[1], now);
        }
        while (!inFlight.isEmpty() && inFlight.peek()[0] <= now) {
            long[] p = inFlight.poll();
            recorder.record((int) p[1], p[0]);
        }
        if (now % (100 * MS) == 0) {
            TransportCcFeedback fb = recorder.feedback(1, 2);
            if (fb != null) {
                feedbacks.addLast(new Object[] {now + propagationNanos, fb});
            }
        }
        budgetBits += sendRateBps.getAsLong() / 1000.0;
        while (budgetBits >= PACKET * 8) {
            budgetBits -= PACKET * 8;
            send(-1);
        }
        while (prober != null && prober.nextSendNanos(now) <= now) {
            send(prober.cluster().id());
            prober.onSent(PACKET, now);
            if (prober.done()) {
                prober = null;
            }
        }
    }

    private void send(int probeCluster) {
        int seq = sequence++ & 0xFFFF;
        estimator.onPacketSent(seq, PACKET, now, probeCluster);
        if (random.nextDouble() < loss) {
            return;
        }
        long start = Math.max(now, linkFreeNanos);
        if (start - now > 1000 * MS) {
            return; // tail drop
        }
        long departure = start + PACKET * 8L * 1_000_000_000L / capacityBps;
        linkFreeNanos = departure;
        maxQueueNanos = Math.max(maxQueueNanos, departure - now);
        inFlight.add(new long[] {departure + propagationNanos, seq});
    }
}
