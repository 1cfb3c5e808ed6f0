package dev.vireo.transcode;

import dev.vireo.transcode.meter.LatencyMeter;
import dev.vireo.transcode.meter.RateMeter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one job measures and remembers for {@link TranscodeJobStats}: its state, ffmpeg's command
 * and last failure, restarts, frames written to ffmpeg, added latency and output rates. Written
 * by the job's threads, read by any; the snapshot adds what the job's other parts count.
 */
final class JobMeters {

    enum State { STARTING, RUNNING, RESTARTING, STOPPED }

    final Instant startedAt = Instant.now();
    final long startedNanos = System.nanoTime();
    final LatencyMeter latency = new LatencyMeter();
    final RateMeter rates = new RateMeter();
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicInteger restarts = new AtomicInteger();
    volatile State state = State.STARTING;
    volatile String lastError;
    volatile String command = "";

    void frameIn() {
        framesIn.incrementAndGet();
    }

    void restarted() {
        restarts.incrementAndGet();
    }

    /**
     * @param pid the running ffmpeg's, or -1
     * @param firstFrameNanos when the first frame was published, 0 before
     */
    TranscodeJobStats snapshot(Request request, long pid, long firstFrameNanos, long framesOut, long framesDropped,
                               int viewers) {
        return new TranscodeJobStats(request.output(), request.source(), request.describe(), state.name(), command,
                pid, startedAt, Duration.between(startedAt, Instant.now()), restarts.get(),
                firstFrameNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstFrameNanos - startedNanos),
                rates.fps(), rates.speed(), latency.video(), latency.audio(), framesIn.get(), framesOut,
                framesDropped, viewers, lastError);
    }
}
