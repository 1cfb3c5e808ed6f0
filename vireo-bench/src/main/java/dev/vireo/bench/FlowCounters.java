package dev.vireo.bench;

/**
 * Counters of one media flow (a viewer, or the publisher's sent side). Written by one thread
 * (the flow's event loop), read by the ramp after a window has closed; fields are volatile for
 * visibility only, never incremented concurrently.
 */
final class FlowCounters {

    private final Measurement measurement;
    private final boolean recordLatency;

    private volatile int windowId;
    private volatile long windowFrames;
    private volatile long windowBytes;
    private volatile long totalFrames;
    private volatile long totalBytes;
    private volatile long unstampedFrames;
    private volatile long lastDelayNanos = Long.MAX_VALUE;

    FlowCounters(Measurement measurement, boolean recordLatency) {
        this.measurement = measurement;
        this.recordLatency = recordLatency;
    }

    /**
     * One media message.
     *
     * @param nowNanos   arrival (or send) time on the {@link BenchClock}
     * @param bytes      message payload bytes
     * @param video      whether it is a coded video frame
     * @param stampNanos the frame's send stamp, -1 when it carries none
     */
    void onMedia(long nowNanos, int bytes, boolean video, long stampNanos) {
        MeasurementWindow w = measurement.window();
        if (w.id() != windowId) {
            windowId = w.id();
            windowFrames = 0;
            windowBytes = 0;
        }
        totalBytes += bytes;
        if (w.contains(nowNanos)) {
            windowBytes += bytes;
        }
        if (video) {
            totalFrames++;
            if (stampNanos < 0) {
                unstampedFrames++;
                return;
            }
            lastDelayNanos = nowNanos - stampNanos;
            if (w.contains(stampNanos)) {
                windowFrames++;
                if (recordLatency) {
                    measurement.latency().recordNanos(nowNanos - stampNanos);
                }
            }
        }
    }

    /** Frames sent inside {@code w} that this flow has seen (0 when it saw none of that window). */
    long framesIn(MeasurementWindow w) {
        return windowId == w.id() ? windowFrames : 0;
    }

    /** Bytes that arrived inside {@code w}. */
    long bytesIn(MeasurementWindow w) {
        return windowId == w.id() ? windowBytes : 0;
    }

    long totalFrames() {
        return totalFrames;
    }

    long totalBytes() {
        return totalBytes;
    }

    /** Delivery delay of the latest stamped frame (Long.MAX_VALUE before the first). */
    long lastDelayNanos() {
        return lastDelayNanos;
    }

    long unstampedFrames() {
        return unstampedFrames;
    }
}
