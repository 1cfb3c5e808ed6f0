package dev.vireo.bench.measure;

/** What every flow of a run shares: the current window and the latency histogram. */
public final class Measurement {

    private volatile MeasurementWindow window = MeasurementWindow.NONE;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LatencyRecorder firstFrame = new LatencyRecorder();

    MeasurementWindow window() {
        return window;
    }

    public LatencyRecorder latency() {
        return latency;
    }

    /**
     * Time from a viewer's request (connect / WHEP POST) to its first complete video frame, for
     * every viewer that joined since the last snapshot (not reset by {@link #open}).
     */
    public LatencyRecorder firstFrame() {
        return firstFrame;
    }

    /** Opens a window from now for {@code millis}; latency samples start over. */
    public MeasurementWindow open(long millis) {
        long start = BenchClock.nowNanos();
        MeasurementWindow w = new MeasurementWindow(window.id() + 1, start, start + millis * 1_000_000L);
        latency.reset();
        window = w;
        return w;
    }
}
