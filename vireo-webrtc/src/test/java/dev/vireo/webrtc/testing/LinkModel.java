package dev.vireo.webrtc.testing;

import java.util.Random;

/**
 * One direction of an impaired network link, as pure arithmetic (no sockets, no threads): given a
 * packet and its arrival time, whether it is lost and when it leaves. In order:
 * <ol>
 *   <li><b>loss</b>, for the packets the caller subjects to it: random loss at {@code loss}, and
 *       burst loss from a two-state Gilbert-Elliott chain (in the good state a packet moves to the
 *       bad state with {@code burstStart}; in the bad state every packet is lost and the chain
 *       returns with probability {@code 1 / burstLength});</li>
 *   <li><b>bandwidth</b>: a token bucket of {@code bitsPerSecond} drained by a FIFO queue of at
 *       most {@code queueMillis} of waiting; a packet that would wait longer is dropped (tail
 *       drop), as at a bottleneck router;</li>
 *   <li><b>delay and jitter</b>: a fixed {@code delayMillis} plus a uniform random
 *       {@code [0, jitterMillis]} per packet, after the queue, so packets overtake each other
 *       (reordering) when the jitter exceeds their spacing.</li>
 * </ol>
 * Not thread-safe: one caller per direction.
 */
public final class LinkModel {

    /** What a link does to packets; {@link #NONE} passes everything at once. */
    public record Impairment(double loss, double burstStart, double burstLength, long bitsPerSecond,
                             long queueMillis, long delayMillis, long jitterMillis) {

        public static final Impairment NONE = new Impairment(0, 0, 1, 0, 0, 0, 0);

        public Impairment {
            if (loss < 0 || loss > 1 || burstStart < 0 || burstStart > 1 || burstLength < 1 || bitsPerSecond < 0
                    || queueMillis < 0 || delayMillis < 0 || jitterMillis < 0) {
                throw new IllegalArgumentException("impossible impairment: " + this);
            }
        }

        /** Random loss of this share of the packets subject to loss. */
        public Impairment withLoss(double share) {
            return new Impairment(share, burstStart, burstLength, bitsPerSecond, queueMillis, delayMillis, jitterMillis);
        }

        /** Bursts: entered with probability {@code start} per packet, {@code meanLength} packets long on average. */
        public Impairment withBursts(double start, double meanLength) {
            return new Impairment(loss, start, meanLength, bitsPerSecond, queueMillis, delayMillis, jitterMillis);
        }

        /** A bottleneck of {@code bps} with a queue of {@code maxWaitMillis} (0 bps: no cap). */
        public Impairment withBandwidth(long bps, long maxWaitMillis) {
            return new Impairment(loss, burstStart, burstLength, bps, maxWaitMillis, delayMillis, jitterMillis);
        }

        /** Every packet delayed by {@code fixedMillis} plus up to {@code jitter} ms at random. */
        public Impairment withDelay(long fixedMillis, long jitter) {
            return new Impairment(loss, burstStart, burstLength, bitsPerSecond, queueMillis, fixedMillis, jitter);
        }
    }

    /** The fate of one packet: dropped (and why), or the time it leaves the link. */
    public record Fate(Drop drop, long departureNanos) {

        public boolean delivered() {
            return drop == null;
        }
    }

    public enum Drop {
        RANDOM,
        BURST,
        QUEUE_FULL
    }

    private Impairment impairment;
    private final Random random;
    private boolean bad;
    /** When the bottleneck has sent everything queued so far. */
    private long queueFreeNanos = Long.MIN_VALUE;

    public LinkModel(Impairment impairment, long seed) {
        this.impairment = impairment;
        this.random = new Random(seed);
    }

    public Impairment impairment() {
        return impairment;
    }

    /** From now on the link impairs as {@code changed} says (a cap lifted mid-run); what is queued stays queued. */
    public void impairment(Impairment changed) {
        this.impairment = changed;
    }

    /**
     * @param bytes the packet's size on the wire
     * @param lossy whether this packet is subject to loss (e.g. RTP but not the handshakes)
     */
    public Fate offer(int bytes, boolean lossy, long nowNanos) {
        Impairment im = impairment;
        if (lossy) {
            if (bad) {
                if (random.nextDouble() < 1 / im.burstLength()) {
                    bad = false;
                }
                if (bad) {
                    return new Fate(Drop.BURST, 0);
                }
            } else if (im.burstStart() > 0 && random.nextDouble() < im.burstStart()) {
                bad = true;
                return new Fate(Drop.BURST, 0);
            }
            if (im.loss() > 0 && random.nextDouble() < im.loss()) {
                return new Fate(Drop.RANDOM, 0);
            }
        }
        long leave = nowNanos;
        if (im.bitsPerSecond() > 0) {
            long start = Math.max(nowNanos, queueFreeNanos);
            if (start - nowNanos > im.queueMillis() * 1_000_000L) {
                return new Fate(Drop.QUEUE_FULL, 0);
            }
            queueFreeNanos = start + bytes * 8L * 1_000_000_000L / im.bitsPerSecond();
            leave = queueFreeNanos;
        }
        long jitter = im.jitterMillis() == 0 ? 0 : (long) (random.nextDouble() * im.jitterMillis() * 1_000_000L);
        return new Fate(null, leave + im.delayMillis() * 1_000_000L + jitter);
    }
}
