package dev.vireo.webrtc.whep;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Bandwidth probing for a WHEP viewer that ABR moved down its ladder (issue 18). Renditions are
 * fixed-rate, and GCC's estimate never rises far above what the viewer acknowledges receiving
 * (≤ 1.5 × it, {@code AimdRateController}): without more traffic a viewer moved down would stay
 * down when its link recovers. So, while the {@link dev.vireo.webrtc.abr.RenditionPolicy} wants a
 * probe ({@code probeBps > 0}: below the top, no switch pending) and the link loses little, the
 * session adds padding-only RTX packets ({@link ViewerRtp#sendPadding}, as libwebrtc pads) up to
 * {@code RenditionPolicy.paddingBps}: the sending then fills the estimate, never beyond it, so GCC's
 * own increase (8 %/s, or additive near the capacity it last measured) lifts the estimate while
 * the link carries it, and over-use or loss stops it where the link ends.
 *
 * <p>Paced: every {@link #TICK_MILLIS} ms the rate's share goes out, and only while the pacer
 * holds no video (media first). The timer runs only while padding is wanted (it is armed from
 * the session's once-a-second report and stops itself). On the session's loop.
 */
final class ProbePadding {

    static final long TICK_MILLIS = 20;
    /** Loss at or above this (the last judged transport-cc loss fraction) stops the padding. */
    static final double MAX_LOSS = 0.02;

    private final EventExecutor executor;
    private final ViewerRtp rtp;
    private final LongSupplier paddingBps;
    private ScheduledFuture<?> timer;
    private long lastNanos;
    private double credit;
    private volatile boolean on;

    /** @param paddingBps the padding rate wanted now (0: none), asked at every tick */
    ProbePadding(EventExecutor executor, ViewerRtp rtp, LongSupplier paddingBps) {
        this.executor = executor;
        this.rtp = rtp;
        this.paddingBps = paddingBps;
    }

    /** Starts the ticks when padding is wanted and they are not running (once a second). */
    void check(long nowNanos) {
        if (timer == null && paddingBps.getAsLong() > 0) {
            lastNanos = nowNanos;
            credit = 0;
            on = true;
            timer = executor.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long rate = paddingBps.getAsLong();
        if (rate <= 0) {
            stop();
            return;
        }
        // at most two ticks' worth at once: a late tick does not make a burst
        credit = Math.min(credit + rate * (now - lastNanos) / 8e9, rate * 2 * TICK_MILLIS / 8000.0);
        lastNanos = now;
        credit -= rtp.sendPadding((long) credit, now);
    }

    /** Whether padding is being sent now. */
    boolean on() {
        return on;
    }

    void stop() {
        on = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
