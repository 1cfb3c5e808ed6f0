package dev.vireo.bench.measure;

/**
 * The one clock of the bench process: monotonic ({@link System#nanoTime()}) but expressed as
 * nanoseconds since the Unix epoch, so a stamp is both exact to compare inside this process
 * (publisher and viewers share it) and roughly meaningful to anyone reading it outside.
 */
public final class BenchClock {

    private static final long EPOCH_BASE_NANOS = System.currentTimeMillis() * 1_000_000L;
    private static final long MONOTONIC_BASE = System.nanoTime();

    private BenchClock() {
    }

    public static long nowNanos() {
        return EPOCH_BASE_NANOS + (System.nanoTime() - MONOTONIC_BASE);
    }
}
