package dev.vireo.server;

import dev.vireo.transcode.meter.FrameTimings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * {@code vireo_transcode_frame_gap_seconds{stage="in|out",track="video|audio"}}: histograms of the
 * wall-clock gaps between consecutive frames of a track as the hub delivers a source to a
 * transcoding job (in) and as the job publishes ffmpeg's output (out). The two side by side say
 * whether a variant reaches its viewers as evenly as its source reaches the job (docs/BENCHMARKS.md,
 * "The variant's tail").
 */
final class TranscodeGapMetrics implements FrameTimings {

    private static final Duration[] BUCKETS = LongStream.of(1, 2, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100,
            150, 200, 300, 500, 1_000, 2_000).mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    private final Timer inVideo;
    private final Timer inAudio;
    private final Timer outVideo;
    private final Timer outAudio;

    TranscodeGapMetrics(MeterRegistry registry) {
        inVideo = timer(registry, "in", "video");
        inAudio = timer(registry, "in", "audio");
        outVideo = timer(registry, "out", "video");
        outAudio = timer(registry, "out", "audio");
    }

    private static Timer timer(MeterRegistry registry, String stage, String track) {
        return Timer.builder("vireo.transcode.frame.gap").tag("stage", stage).tag("track", track)
                .description("wall-clock gap between consecutive frames of a track at a transcoding job's input (in) or output (out)")
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    @Override
    public void gap(Stage stage, boolean video, long gapNanos) {
        Timer t = stage == Stage.IN ? (video ? inVideo : inAudio) : (video ? outVideo : outAudio);
        t.record(gapNanos, TimeUnit.NANOSECONDS);
    }
}
