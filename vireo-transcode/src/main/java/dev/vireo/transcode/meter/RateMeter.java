package dev.vireo.transcode.meter;

/**
 * Output rates over a rolling window: video frames per second, and speed, the media time
 * published per wall-clock time (1.0 when keeping up with a live source). Thread-safe.
 */
public final class RateMeter {

    private static final long WINDOW_NANOS = 2_000_000_000L;

    private long windowStart = -1;
    private long windowStartMediaMs;
    private int windowFrames;
    private double fps;
    private double speed;

    public synchronized void frame(boolean isVideo, long mediaMs, long nowNanos) {
        if (windowStart < 0) {
            windowStart = nowNanos;
            windowStartMediaMs = mediaMs;
        }
        if (isVideo) {
            windowFrames++;
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            fps = Math.round(windowFrames * 1e10 / elapsed) / 10.0;
            speed = Math.round((mediaMs - windowStartMediaMs) * 1e8 / elapsed) / 100.0;
            windowStart = nowNanos;
            windowStartMediaMs = mediaMs;
            windowFrames = 0;
        }
    }

    public synchronized double fps() {
        return fps;
    }

    public synchronized double speed() {
        return speed;
    }
}
