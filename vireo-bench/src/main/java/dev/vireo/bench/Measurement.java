package dev.vireo.bench;

/** What every flow of a run shares: the current window and the latency histogram. */
final class Measurement {

    private volatile MeasurementWindow window = MeasurementWindow.NONE;
    private final LatencyRecorder latency = new LatencyRecorder();

    MeasurementWindow window() {
        return window;
    }

    LatencyRecorder latency() {
        return latency;
    }

    /** Opens a window from now for {@code millis}; latency samples start over. */
    MeasurementWindow open(long millis) {
        long start = BenchClock.nowNanos();
        MeasurementWindow w = new MeasurementWindow(window.id() + 1, start, start + millis * 1_000_000L);
        latency.reset();
        window = w;
        return w;
    }
}
