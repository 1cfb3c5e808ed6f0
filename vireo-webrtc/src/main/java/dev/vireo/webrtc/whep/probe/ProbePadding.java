package dev.vireo.webrtc.whep.probe;

import dev.vireo.webrtc.abr.RenditionPolicy;
import dev.vireo.webrtc.bwe.BandwidthUsage;
import dev.vireo.webrtc.feedback.CongestionFeedback;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Bandwidth probing for a WHEP viewer that ABR moved down its ladder (issue 18). Renditions are
 * fixed-rate, and GCC's estimate never rises far above what the viewer acknowledges receiving
 * (≤ 1.5 × it, {@code AimdRateController}): without more traffic a viewer moved down would stay
 * down when its link recovers. So, while the {@link RenditionPolicy} wants a
 * probe ({@code probeBps > 0}: below the top, no switch pending) and the link loses little, the
 * session adds RTX packets ({@link ProbePackets}, as libwebrtc pads) up to
 * {@code RenditionPolicy.paddingBps}: the sending then fills the estimate, never beyond it, so GCC's
 * own increase (8 %/s, or additive near the capacity it last measured) lifts the estimate while
 * the link carries it, and over-use or loss stops it where the link ends.
 *
 * <p>When the probing finds the link's end (over-use or loss while padding) it pauses, 5 s then
 * up to 20 s ({@link #linkEnded}), as libwebrtc probes periodically rather than all the time.
 *
 * <p>Paced: every {@link #TICK_MILLIS} ms the rate's share goes out, and only while the pacer
 * holds no video (media first). The timer runs only while padding is wanted (it is armed from
 * the session's once-a-second report and stops itself). On the session's loop.
 */
public final class ProbePadding {

    private static final long TICK_MILLIS = 20;
    /** Loss at or above this (the last judged transport-cc loss fraction) stops the padding. */
    private static final double MAX_LOSS = 0.02;
    /**
     * After the probing made the link over-use or lose packets (it found the link's end), no
     * padding for this long, doubling at each such event up to {@link #MAX_PAUSE_NANOS}: a capped
     * link is not filled to its end again and again (each time its queue fills, media packets can
     * be lost with it).
     */
    private static final long FIRST_PAUSE_NANOS = 5_000_000_000L;
    private static final long MAX_PAUSE_NANOS = 20_000_000_000L;

    private final EventExecutor executor;
    private final ProbePackets packets;
    private final LongSupplier probeBps;
    private final LongSupplier mediaBps;
    private final CongestionFeedback congestion;
    private ScheduledFuture<?> timer;
    private long lastNanos;
    private double credit;
    private volatile boolean on;
    private long pausedUntilNanos = Long.MIN_VALUE;
    private long pauseNanos = FIRST_PAUSE_NANOS;

    /**
     * @param probeBps   the sending rate that would prove the next rendition up, 0 when none is to be
     *                   proven ({@link RenditionPolicy#probeBps}), asked at every tick
     * @param mediaBps   what the viewer was sent over the last second, -1 before
     * @param congestion the viewer's estimate and what its last feedback said of the link
     */
    public ProbePadding(EventExecutor executor, ProbePackets packets, LongSupplier probeBps, LongSupplier mediaBps,
                        CongestionFeedback congestion) {
        this.executor = executor;
        this.packets = packets;
        this.probeBps = probeBps;
        this.mediaBps = mediaBps;
        this.congestion = congestion;
    }

    /**
     * The padding wanted now: up to what would prove the next rendition up, within the estimate,
     * while the viewer's link loses little (none at the top or before a second's rate). Over-use
     * or loss while padding is where the link ends ({@link #linkEnded}).
     */
    private long paddingBps() {
        long probe = probeBps.getAsLong();
        long media = mediaBps.getAsLong();
        long estimate = congestion.estimateBps();
        if (probe <= 0 || media <= 0 || estimate <= 0) {
            return 0;
        }
        if (congestion.estimator().lossFraction() >= MAX_LOSS
                || congestion.estimator().usage() == BandwidthUsage.OVERUSING) {
            linkEnded(System.nanoTime());
            return 0;
        }
        return RenditionPolicy.paddingBps(media, estimate, probe);
    }

    /** Starts the ticks when padding is wanted and they are not running (once a second). */
    public void check(long nowNanos) {
        if (timer == null && nowNanos >= pausedUntilNanos && paddingBps() > 0) {
            lastNanos = nowNanos;
            credit = 0;
            on = true;
            timer = executor.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long rate = paddingBps();
        if (rate <= 0) {
            stop();
            return;
        }
        // at most two ticks' worth at once: a late tick does not make a burst
        credit = Math.min(credit + rate * (now - lastNanos) / 8e9, rate * 2 * TICK_MILLIS / 8000.0);
        lastNanos = now;
        credit -= packets.send((long) credit, now);
    }

    /**
     * The link showed over-use or loss: while probing, that is where it ends; the padding stops and
     * pauses (5 s, then longer up to 20 s at each repeat).
     */
    private void linkEnded(long nowNanos) {
        if (timer == null) {
            return;
        }
        stop();
        pausedUntilNanos = nowNanos + pauseNanos;
        pauseNanos = Math.min(MAX_PAUSE_NANOS, pauseNanos * 2);
    }

    /** Whether padding is being sent now. */
    public boolean on() {
        return on;
    }

    public void stop() {
        on = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
