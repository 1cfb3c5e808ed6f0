package dev.vireo.core;

/**
 * Rolling measurements of a published stream: rates over the last window, GOP structure and
 * B-frame detection. Updated on every published frame under the stream's lock; cheap.
 */
final class StreamMeter {

    private static final long WINDOW_NANOS = 1_000_000_000L;

    private long windowStart = -1;
    private long windowBytes;
    private int windowVideoFrames;
    private double fps;
    private double bitrateKbps;

    private long framesIn;
    private long bytesIn;

    private int framesInGop;
    private long gopStartDts = -1;
    private int lastGopFrames;
    private long lastGopMillis;

    private long maxPts = Long.MIN_VALUE;
    private boolean bFrames;

    void onFrame(MediaFrame f, long nowNanos) {
        int size = f.payload().readableBytes();
        framesIn++;
        bytesIn += size;
        if (windowStart < 0) {
            windowStart = nowNanos;
        }
        windowBytes += size;
        if (f.isVideo() && !f.isConfig()) {
            windowVideoFrames++;
            onVideoFrame(f);
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            fps = windowVideoFrames * 1e9 / elapsed;
            bitrateKbps = windowBytes * 8e6 / elapsed; // bytes*8 / (ns/1e9) / 1000
            windowStart = nowNanos;
            windowBytes = 0;
            windowVideoFrames = 0;
        }
    }

    private void onVideoFrame(MediaFrame f) {
        if (f.isKeyframe()) {
            if (gopStartDts >= 0) {
                lastGopFrames = framesInGop;
                lastGopMillis = f.dts() - gopStartDts;
            }
            gopStartDts = f.dts();
            framesInGop = 0;
        }
        framesInGop++;
        // A frame presented before one already decoded means the encoder reorders: B-frames.
        long pts = f.pts();
        if (pts < maxPts) {
            bFrames = true;
        }
        maxPts = Math.max(maxPts, pts);
    }

    /** A new publisher starts a new time line. */
    void resetTimeline() {
        maxPts = Long.MIN_VALUE;
        gopStartDts = -1;
        framesInGop = 0;
    }

    double fps() {
        return fps;
    }

    double bitrateKbps() {
        return bitrateKbps;
    }

    long framesIn() {
        return framesIn;
    }

    long bytesIn() {
        return bytesIn;
    }

    int lastGopFrames() {
        return lastGopFrames;
    }

    long lastGopMillis() {
        return lastGopMillis;
    }

    boolean bFrames() {
        return bFrames;
    }
}
