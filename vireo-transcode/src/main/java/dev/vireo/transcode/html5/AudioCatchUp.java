package dev.vireo.transcode.html5;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells when a starting ffmpeg's audio output has become live, for browser variants (see
 * {@code OutputPublisher}): a starting (or restarted) ffmpeg finds the source's GOP cache and
 * whatever queued while it started, and works through that faster than real time.
 *
 * <p>Live means: an audio frame came out at most {@link #LIVE_NANOS} after its input frame went
 * in, or audio comes out at about real-time pace — over the last {@link #PACE_WINDOW_MS} of
 * media, at most 4/3 of it per wall-clock time. The pace rule covers frames whose input time is
 * not known (replayed from the GOP cache) and a machine so loaded that ffmpeg never gets under
 * the latency bound: once its backlog is gone, audio passes. One per catch-up; not thread-safe.
 */
public final class AudioCatchUp {

    /** Added latency at which audio counts as live (AAC→Opus adds ~24 ms at the median: docs/BENCHMARKS.md). */
    static final long LIVE_NANOS = 60_000_000L;
    /** Media time over which the pace of the output is judged. */
    static final long PACE_WINDOW_MS = 200;

    /** Frames of the last window: pts (ms), arrival (ns). */
    private final List<long[]> window = new ArrayList<>();

    /**
     * @param addedNanos the frame's added latency, or -1 when unknown
     * @return true when this frame, and so every later one, is live
     */
    public boolean caughtUp(long ptsMs, long addedNanos, long nowNanos) {
        if (addedNanos >= 0 && addedNanos <= LIVE_NANOS) {
            return true;
        }
        window.add(new long[] {ptsMs, nowNanos});
        // keep exactly one frame at least a window older than this one
        while (window.size() > 2 && ptsMs - window.get(1)[0] >= PACE_WINDOW_MS) {
            window.remove(0);
        }
        long[] oldest = window.get(0);
        long media = ptsMs - oldest[0];
        long wallMs = (nowNanos - oldest[1]) / 1_000_000;
        return media >= PACE_WINDOW_MS && 3 * media <= 4 * wallMs;
    }
}
