package dev.vireo.webrtc.whip;

/**
 * Which simulcast layer feeds the main stream ({@code {stream}}): the largest picture among the
 * layers that are live — a layer is live while its last frame is less than {@link #STALE_NANOS}
 * old, so a layer the sender paused (Chromium drops its top layers when its uplink estimate
 * falls) stops counting after a second. The main stream changes layer only at a keyframe of the
 * new one (its parameter sets go first), so its viewers' decoders continue: when the current
 * layer goes stale, {@link #wanted} names the best live layer to ask for a keyframe (PLI), and a
 * larger layer that comes back (with a keyframe: the sender restarts a layer with one) takes over
 * again. Pure: sizes and times come from the caller.
 */
final class SimulcastMain {

    /** A layer without a frame for this long counts as paused. */
    static final long STALE_NANOS = 1_000_000_000L;

    private final long[] area;
    private final long[] lastFrame;
    private int current = -1;
    private long switches;

    SimulcastMain(int layers) {
        area = new long[layers];
        lastFrame = new long[layers];
        java.util.Arrays.fill(lastFrame, Long.MIN_VALUE);
    }

    /** The picture size of a layer, from its parameter sets (0 while unknown). */
    void size(int layer, int width, int height) {
        area[layer] = (long) Math.max(0, width) * Math.max(0, height);
    }

    /**
     * A video frame of {@code layer}.
     *
     * @return whether the main stream takes it: a frame of the current layer, or a keyframe of the
     *     best live layer, which then becomes the current one
     */
    boolean onFrame(int layer, boolean keyframe, long nowNanos) {
        lastFrame[layer] = nowNanos;
        if (layer == current) {
            return true;
        }
        if (keyframe && takesOver(layer, nowNanos)) {
            current = layer;
            switches++;
            return true;
        }
        return false;
    }

    /** The best live layer: the largest picture (the first in the offer's order on a tie), or -1. */
    int best(long nowNanos) {
        int best = -1;
        for (int i = 0; i < area.length; i++) {
            if (live(i, nowNanos) && (best < 0 || area[i] > area[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The layer to ask for a keyframe so that the main stream can move to it, or -1: the best live
     * layer when it is not the current one.
     */
    int wanted(long nowNanos) {
        int best = best(nowNanos);
        return best >= 0 && takesOver(best, nowNanos) ? best : -1;
    }

    /**
     * Whether a live layer would replace the current one: no live layer is larger, and the current
     * one is stale or smaller (an equal one does not: no switching back and forth on a tie).
     */
    private boolean takesOver(int layer, long nowNanos) {
        if (layer == current || !live(layer, nowNanos)) {
            return false;
        }
        for (int i = 0; i < area.length; i++) {
            if (live(i, nowNanos) && area[i] > area[layer]) {
                return false;
            }
        }
        return current < 0 || !live(current, nowNanos) || area[layer] > area[current];
    }

    boolean live(int layer, long nowNanos) {
        return lastFrame[layer] != Long.MIN_VALUE && nowNanos - lastFrame[layer] < STALE_NANOS;
    }

    /** The layer feeding the main stream, -1 before the first keyframe. */
    int current() {
        return current;
    }

    /** Times the main stream changed layer (the first choice included). */
    long switches() {
        return switches;
    }
}
