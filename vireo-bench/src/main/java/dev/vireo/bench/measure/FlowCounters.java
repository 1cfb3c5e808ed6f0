package dev.vireo.bench.measure;

/**
 * Counters of one media flow (a viewer, or the publisher's sent side). Written by one thread
 * (the flow's event loop), read by the ramp after a window has closed; fields are volatile for
 * visibility only, never incremented concurrently.
 */
public final class FlowCounters {

    private final Measurement measurement;
    private final boolean recordLatency;

    private volatile int windowId;
    private volatile long windowFrames;
    private volatile long windowBytes;
    private volatile long totalFrames;
    private volatile long totalBytes;
    private volatile long unstampedFrames;
    private volatile long lastDelayNanos = Long.MAX_VALUE;
    private volatile long openedNanos = -1;
    private volatile long windowPackets;
    private volatile long windowLost;
    private volatile int packetWindowId;

    public FlowCounters(Measurement measurement, boolean recordLatency) {
        this.measurement = measurement;
        this.recordLatency = recordLatency;
    }

    /**
     * The viewer asked for the stream now (connect, WHEP POST): its first video frame records the
     * time to first frame in {@link Measurement#firstFrame()}.
     */
    public void markOpened(long nowNanos) {
        openedNanos = nowNanos;
    }

    private void firstFrame(long nowNanos) {
        long opened = openedNanos;
        if (opened >= 0) {
            openedNanos = -1;
            measurement.firstFrame().recordNanos(nowNanos - opened);
        }
    }

    /**
     * A video frame whose content was not looked at (a WHEP viewer that reads RTP headers only):
     * it counts in the window when it arrives inside it. Delivery delay is unknown; the flow
     * counts as caught up as soon as frames arrive.
     */
    public void onUninspectedFrame(long nowNanos, int bytes) {
        MeasurementWindow w = window();
        totalBytes += bytes;
        totalFrames++;
        firstFrame(nowNanos);
        lastDelayNanos = 0;
        if (w.contains(nowNanos)) {
            windowBytes += bytes;
            windowFrames++;
        }
    }

    /**
     * Packets of a datagram flow: {@code received} arrived now and {@code lost} sequence numbers
     * were skipped before them (RTP sequence gaps). Counted when they arrive inside the window.
     */
    public void onPackets(long nowNanos, int received, int lost) {
        MeasurementWindow w = measurement.window();
        if (w.id() != packetWindowId) {
            packetWindowId = w.id();
            windowPackets = 0;
            windowLost = 0;
        }
        if (w.contains(nowNanos)) {
            windowPackets += received;
            windowLost += lost;
        }
    }

    public long packetsIn(MeasurementWindow w) {
        return packetWindowId == w.id() ? windowPackets : 0;
    }

    public long lostIn(MeasurementWindow w) {
        return packetWindowId == w.id() ? windowLost : 0;
    }

    private MeasurementWindow window() {
        MeasurementWindow w = measurement.window();
        if (w.id() != windowId) {
            windowId = w.id();
            windowFrames = 0;
            windowBytes = 0;
        }
        return w;
    }

    /**
     * One media message.
     *
     * @param nowNanos   arrival (or send) time on the {@link BenchClock}
     * @param bytes      message payload bytes
     * @param video      whether it is a coded video frame
     * @param stampNanos the frame's send stamp, -1 when it carries none
     */
    public void onMedia(long nowNanos, int bytes, boolean video, long stampNanos) {
        MeasurementWindow w = window();
        totalBytes += bytes;
        if (w.contains(nowNanos)) {
            windowBytes += bytes;
        }
        if (video) {
            totalFrames++;
            firstFrame(nowNanos);
            if (stampNanos < 0) {
                // Not stamped (--stamp-every > 1, or a server that strips SEI): counted on arrival.
                unstampedFrames++;
                if (w.contains(nowNanos)) {
                    windowFrames++;
                }
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
    public long framesIn(MeasurementWindow w) {
        return windowId == w.id() ? windowFrames : 0;
    }

    /** Bytes that arrived inside {@code w}. */
    public long bytesIn(MeasurementWindow w) {
        return windowId == w.id() ? windowBytes : 0;
    }

    public long totalFrames() {
        return totalFrames;
    }

    long totalBytes() {
        return totalBytes;
    }

    /** Delivery delay of the latest stamped frame (Long.MAX_VALUE before the first). */
    public long lastDelayNanos() {
        return lastDelayNanos;
    }

    public long unstampedFrames() {
        return unstampedFrames;
    }
}
