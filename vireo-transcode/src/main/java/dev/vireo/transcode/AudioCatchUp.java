package dev.vireo.transcode;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells when a starting ffmpeg's audio output may go to viewers, for browser variants (see
 * {@link OutputPublisher}): a starting (or restarted) ffmpeg finds the source's GOP cache and
 * whatever queued while it started, and works through that faster than real time.
 *
 * <p>Two conditions. First, the audio is live: a frame came out at most {@link #LIVE_NANOS} after
 * its input frame went in, or audio comes out at about real-time pace — over the last
 * {@link #PACE_WINDOW_MS} of media, at most 4/3 of it per wall-clock time (this covers frames whose
 * input time is not known, replayed from the GOP cache, and a machine so loaded that ffmpeg never
 * gets under the latency bound). Second, the video has caught up with it: the latest published
 * video frame is at most {@link #VIDEO_LAG_MS} behind. A WebRTC receiver's lip sync compares the
 * newest audio and video it received; meeting old catch-up video next to live audio, it delays the
 * audio by the difference and then takes it back at 80 ms a second (measured in Chromium: audio
 * 0.7–0.9 s behind video at first, 10–20 s to settle). Should the video not catch up within
 * {@link #VIDEO_WAIT_NANOS} of live audio (an overloaded encoder), audio goes anyway. One per
 * catch-up; not thread-safe.
 */
final class AudioCatchUp {

    /** Added latency at which audio counts as live (AAC→Opus adds ~40 ms p99 on an idle machine). */
    static final long LIVE_NANOS = 60_000_000L;
    /** Media time over which the pace of the output is judged. */
    static final long PACE_WINDOW_MS = 200;
    /** How far behind live audio the video may be (B-frame removal adds ~80 ms more than AAC→Opus). */
    static final long VIDEO_LAG_MS = 150;
    /** Longest wait for the video once the audio is live. */
    static final long VIDEO_WAIT_NANOS = 2_000_000_000L;
    /** For {@code lastVideoPtsMs}: the output has no video to wait for. */
    static final long NO_VIDEO = Long.MIN_VALUE;
    /** For {@code lastVideoPtsMs}: the output will have video, none published yet. */
    static final long VIDEO_NOT_YET = Long.MIN_VALUE + 1;

    /** Frames of the last window: pts (ms), arrival (ns). */
    private final List<long[]> window = new ArrayList<>();
    private long liveSinceNanos = -1;

    /**
     * @param addedNanos the frame's added latency, or -1 when unknown
     * @param lastVideoPtsMs pts of the latest video frame published, {@link #VIDEO_NOT_YET} or
     *     {@link #NO_VIDEO}
     * @return true when this frame, and so every later one, may be published
     */
    boolean caughtUp(long ptsMs, long addedNanos, long nowNanos, long lastVideoPtsMs) {
        if (liveSinceNanos < 0) {
            if (!live(ptsMs, addedNanos, nowNanos)) {
                return false;
            }
            liveSinceNanos = nowNanos;
        }
        if (lastVideoPtsMs == NO_VIDEO) {
            return true;
        }
        boolean videoNear = lastVideoPtsMs != VIDEO_NOT_YET && ptsMs - lastVideoPtsMs <= VIDEO_LAG_MS;
        return videoNear || nowNanos - liveSinceNanos >= VIDEO_WAIT_NANOS;
    }

    private boolean live(long ptsMs, long addedNanos, long nowNanos) {
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
