package dev.vireo.transcode.meter;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latency a job adds: for each output frame, its publication time minus the time the input
 * frame with the nearest presentation time (same track) reached the job. Output time stamps are
 * the input's (see {@code FfmpegCommand}), so "nearest" is exact for video and within one audio
 * frame for audio, whose frames the encoder re-cuts (AAC 21.3 ms → Opus 20 ms).
 *
 * <p>Only live input counts: frames replayed from the source's GOP cache when the job starts are
 * not timed (their lag is the start-up, reported apart). Thread-safe; cheap (a bounded map per
 * track and a ring of the last samples).
 */
public final class LatencyMeter {

    /** Percentiles over the last this many output frames of a track. */
    static final int WINDOW = 1024;
    /** Input frames remembered per track (about 8 s of 30 fps video, 10 s of audio). */
    private static final int REMEMBERED = 512;
    /** Farther than this from any input frame, an output frame is not matched. */
    private static final long MATCH_MS = 100;

    private final Track video = new Track();
    private final Track audio = new Track();

    public void input(boolean isVideo, long ptsMs, long nanos) {
        (isVideo ? video : audio).input(ptsMs, nanos);
    }

    /** @return the latency added to this frame (ns), or -1 when no live input frame matches it */
    public long output(boolean isVideo, long ptsMs, long nanos) {
        return (isVideo ? video : audio).output(ptsMs, nanos);
    }

    public Latency video() {
        return video.summary();
    }

    public Latency audio() {
        return audio.summary();
    }

    private static final class Track {
        private final TreeMap<Long, Long> inputs = new TreeMap<>();
        private final long[] samples = new long[WINDOW];
        private int count;
        private int next;

        synchronized void input(long ptsMs, long nanos) {
            inputs.putIfAbsent(ptsMs, nanos);
            if (inputs.size() > REMEMBERED) {
                inputs.pollFirstEntry();
            }
        }

        synchronized long output(long ptsMs, long nanos) {
            Map.Entry<Long, Long> lo = inputs.floorEntry(ptsMs);
            Map.Entry<Long, Long> hi = inputs.ceilingEntry(ptsMs);
            Map.Entry<Long, Long> best = lo == null ? hi : hi == null ? lo
                    : ptsMs - lo.getKey() <= hi.getKey() - ptsMs ? lo : hi;
            if (best == null || Math.abs(best.getKey() - ptsMs) > MATCH_MS) {
                return -1;
            }
            long added = nanos - best.getValue();
            samples[next] = added;
            next = (next + 1) % WINDOW;
            count = Math.min(count + 1, WINDOW);
            // inputs before this one will not be matched again: outputs come in order
            inputs.headMap(best.getKey() - MATCH_MS).clear();
            return added;
        }

        synchronized Latency summary() {
            if (count == 0) {
                return Latency.NONE;
            }
            long[] sorted = Arrays.copyOf(samples, count);
            Arrays.sort(sorted);
            return new Latency(millis(percentile(sorted, 0.50)), millis(percentile(sorted, 0.99)),
                    count);
        }

        private static long percentile(long[] sorted, double p) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        }

        private static double millis(long nanos) {
            return Math.round(nanos / 100_000.0) / 10.0;
        }
    }
}
