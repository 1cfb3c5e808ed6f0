package dev.vireo.transcode;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the transcoder runs ffmpeg.
 *
 * @param ffmpeg the ffmpeg executable: a path, or a bare name looked up on PATH
 * @param maxJobs ffmpeg processes this host runs at most; the next request is refused
 * @param idleTimeout how long a job keeps running after its last viewer left
 * @param x264Preset the libx264 (and libx265) preset of every encoding job
 * @param restartBackoff wait before restarting a crashed ffmpeg; doubles on each consecutive crash
 * @param maxRestartBackoff upper bound of that wait
 * @param lowDelayHtml5 the browser variant's low-delay pipeline (on by default): video that needs
 *     no change goes past ffmpeg, and Opus is at a constant bitrate no muxer holds back; off gives
 *     the pipeline of before (video copied through ffmpeg, Opus VBR 64 kb/s), kept to measure
 *     the two against each other ({@code TranscodeMeasurement})
 */
public record TranscodeConfig(String ffmpeg, int maxJobs, Duration idleTimeout, String x264Preset,
                              Duration restartBackoff, Duration maxRestartBackoff, boolean lowDelayHtml5) {

    /** libx264 presets (x264 --fullhelp), the same names libx265 uses. */
    static final List<String> PRESETS = List.of("ultrafast", "superfast", "veryfast", "faster",
            "fast", "medium", "slow", "slower", "veryslow", "placebo");

    public TranscodeConfig {
        Objects.requireNonNull(ffmpeg, "ffmpeg");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(x264Preset, "x264Preset");
        Objects.requireNonNull(restartBackoff, "restartBackoff");
        Objects.requireNonNull(maxRestartBackoff, "maxRestartBackoff");
        if (ffmpeg.isBlank()) {
            throw new IllegalArgumentException("ffmpeg path is blank");
        }
        if (maxJobs < 0) {
            throw new IllegalArgumentException("maxJobs " + maxJobs + " is negative");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout " + idleTimeout + " is negative");
        }
        if (!PRESETS.contains(x264Preset)) {
            throw new IllegalArgumentException("x264Preset '" + x264Preset + "' is not one of " + PRESETS);
        }
        if (restartBackoff.isNegative() || maxRestartBackoff.compareTo(restartBackoff) < 0) {
            throw new IllegalArgumentException("restart backoff " + restartBackoff + " .. " + maxRestartBackoff
                    + " is not a range");
        }
    }

    /**
     * ffmpeg from PATH, 4 jobs, 10 s idle timeout, preset {@code superfast} (two 720p30 B-frame
     * removals fit two cores with it; see docs/BENCHMARKS.md), restarts after 0.5 s up to 10 s.
     */
    public static TranscodeConfig defaults() {
        return new TranscodeConfig("ffmpeg", 4, Duration.ofSeconds(10), "superfast", Duration.ofMillis(500),
                Duration.ofSeconds(10), true);
    }

    public TranscodeConfig withFfmpeg(String path) {
        return new TranscodeConfig(path, maxJobs, idleTimeout, x264Preset, restartBackoff, maxRestartBackoff, lowDelayHtml5);
    }

    public TranscodeConfig withMaxJobs(int max) {
        return new TranscodeConfig(ffmpeg, max, idleTimeout, x264Preset, restartBackoff, maxRestartBackoff, lowDelayHtml5);
    }

    public TranscodeConfig withIdleTimeout(Duration timeout) {
        return new TranscodeConfig(ffmpeg, maxJobs, timeout, x264Preset, restartBackoff, maxRestartBackoff, lowDelayHtml5);
    }

    public TranscodeConfig withX264Preset(String preset) {
        return new TranscodeConfig(ffmpeg, maxJobs, idleTimeout, preset, restartBackoff, maxRestartBackoff, lowDelayHtml5);
    }

    public TranscodeConfig withRestartBackoff(Duration first, Duration max) {
        return new TranscodeConfig(ffmpeg, maxJobs, idleTimeout, x264Preset, first, max, lowDelayHtml5);
    }

    public TranscodeConfig withLowDelayHtml5(boolean on) {
        return new TranscodeConfig(ffmpeg, maxJobs, idleTimeout, x264Preset, restartBackoff, maxRestartBackoff, on);
    }
}
