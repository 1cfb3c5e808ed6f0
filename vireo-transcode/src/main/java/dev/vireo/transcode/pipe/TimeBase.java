package dev.vireo.transcode.pipe;

/**
 * The fixed shift between a job's source time line and ffmpeg's: ffmpeg gets the source's time
 * stamps minus a base (the first media frame's time minus {@link #HEADROOM_MS}) and runs with
 * {@code -copyts}, so what comes out plus the base is on the source's time line. The headroom
 * keeps encoder priming (which starts a few milliseconds before the first input) above zero,
 * where muxers would otherwise shift everything. One per job, across ffmpeg restarts: set by the
 * writer thread at the first media frame, read by the reader thread.
 */
public final class TimeBase {

    static final long HEADROOM_MS = 10_000;

    private volatile long baseMs = Long.MIN_VALUE;
    /** The latest media frame's time on ffmpeg's line; MIN_VALUE before the first. */
    private volatile long latestMs = Long.MIN_VALUE;

    /** A media frame's time on ffmpeg's line; the first one fixes the base. */
    public long media(long dts) {
        if (baseMs == Long.MIN_VALUE) {
            baseMs = dts - HEADROOM_MS;
        }
        long t = dts - baseMs;
        latestMs = t;
        return t;
    }

    /**
     * The time on ffmpeg's line of the latest media frame written to ffmpeg (any process of the
     * job), {@link Long#MIN_VALUE} before the first: ffmpeg's output is within seconds of it, which
     * tells in which 2^33-tick period an MPEG-TS output's time stamps lie ({@link PipeOutput.Ts}).
     */
    public long latestInput() {
        return latestMs;
    }

    /** A configuration's or metadata's time on ffmpeg's line: before the first media frame, 0. */
    public long config(long dts) {
        long b = baseMs;
        return b == Long.MIN_VALUE ? 0 : Math.max(0, dts - b);
    }

    /** The base for output frames: always set by then, as ffmpeg answers only after media went in. */
    public long base() {
        long b = baseMs;
        return b == Long.MIN_VALUE ? 0 : b;
    }
}
