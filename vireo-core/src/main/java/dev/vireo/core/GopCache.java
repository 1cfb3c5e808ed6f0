package dev.vireo.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames since the latest video keyframe, so that a new viewer starts at once on a decodable
 * picture. Bounded in frames and bytes: when a stream's GOP outgrows the bounds, the cache drops
 * everything and waits for the next keyframe (the viewer then waits for it too).
 * Not thread-safe: guarded by the owning {@link Stream}.
 */
final class GopCache {

    private final int maxFrames;
    private final long maxBytes;
    private final List<MediaFrame> frames = new ArrayList<>();
    private long bytes;
    private boolean started;

    GopCache(int maxFrames, long maxBytes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
    }

    /** Offers a media (non-config, non-data) frame; the cache retains what it keeps. */
    void offer(MediaFrame frame, boolean streamHasVideo) {
        if (!streamHasVideo) {
            // Audio-only streams start anywhere: no cache needed.
            return;
        }
        if (frame.isVideo() && frame.isKeyframe()) {
            clear();
            started = true;
        }
        if (!started) {
            return;
        }
        int size = frame.payload().readableBytes();
        if (frames.size() >= maxFrames || bytes + size > maxBytes) {
            clear();
            return;
        }
        frames.add(frame.retain());
        bytes += size;
    }

    /** Appends retained copies of the cached frames to {@code out}. */
    void snapshot(List<MediaFrame> out) {
        for (MediaFrame f : frames) {
            out.add(f.retain());
        }
    }

    int frameCount() {
        return frames.size();
    }

    long byteCount() {
        return bytes;
    }

    void clear() {
        for (MediaFrame f : frames) {
            f.release();
        }
        frames.clear();
        bytes = 0;
        started = false;
    }
}
