package dev.vireo.transcode.ffmpeg;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a job restarts its ffmpeg and when it gives up: the wait doubles from the first backoff up
 * to the maximum with each failure in a row, and more than {@link #MAX_FAILURES} in a row — each
 * a process that could not start or died before {@link #HEALTHY_RUN_NANOS} — end the job. A
 * process that ran healthily counts as the first failure of a new row; a planned restart (the
 * source's parameters changed) is no failure. Pure, one per job, used by its supervisor only.
 */
public final class RestartPolicy {

    /** Crashes in a row, each before the process ran {@link #HEALTHY_RUN_NANOS}, before giving up. */
    static final int MAX_FAILURES = 5;
    static final long HEALTHY_RUN_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Returned instead of a wait: give up. */
    public static final long GIVE_UP = -1;

    private final long firstMillis;
    private final long maxMillis;
    private int failures;

    public RestartPolicy(Duration first, Duration max) {
        this.firstMillis = first.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** ffmpeg could not be started: the wait before trying again, or {@link #GIVE_UP}. */
    public long startFailed() {
        return ++failures > MAX_FAILURES ? GIVE_UP : backoffMillis();
    }

    /** ffmpeg ended on its own after running {@code ranNanos}: the wait before restarting it, or {@link #GIVE_UP}. */
    public long ended(long ranNanos) {
        failures = ranNanos >= HEALTHY_RUN_NANOS ? 1 : failures + 1;
        return failures > MAX_FAILURES ? GIVE_UP : backoffMillis();
    }

    /** The job ended ffmpeg on purpose to start a fresh one: not a failure. */
    public void planned() {
        failures = 0;
    }

    /** Failures in a row before the last one (for "giving up after N failures in a row"). */
    public int failuresBefore() {
        return failures - 1;
    }

    private long backoffMillis() {
        return Math.min(maxMillis, firstMillis << Math.min(20, Math.max(0, failures - 1)));
    }
}
