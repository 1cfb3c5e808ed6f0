package dev.vireo.transcode.meter;

/** The arrival time of the last media frame per track, to report the gap to the next. One thread at a time. */
public final class GapClock {

    private long lastVideo = -1;
    private long lastAudio = -1;

    /** The wall-clock gap since the track's previous frame, -1 for its first. */
    public long gap(boolean video, long nowNanos) {
        long last = video ? lastVideo : lastAudio;
        if (video) {
            lastVideo = nowNanos;
        } else {
            lastAudio = nowNanos;
        }
        return last < 0 ? -1 : nowNanos - last;
    }
}
