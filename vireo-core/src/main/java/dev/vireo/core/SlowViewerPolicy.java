package dev.vireo.core;

/**
 * What a viewer does with each frame given how its connection keeps up: the rule that keeps a
 * slow viewer from hurting anyone else. Per viewer, used on the viewer's event loop.
 *
 * <ul>
 *   <li>A viewer starts by waiting for a video keyframe (the GOP cache normally supplies one at
 *       once), so its decoder never gets a P-frame without its reference. A viewer that started
 *       before the stream had video (audio first) gets the video from its first keyframe too.</li>
 *   <li>When the connection cannot take more data (Netty's write buffer above its high water
 *       mark), media frames are skipped and the viewer resumes at the next keyframe.</li>
 *   <li>A viewer that stays unable to take data past {@code maxLagNanos} is disconnected.</li>
 *   <li>Sequence headers and metadata are always delivered: they are small and a decoder needs
 *       them.</li>
 * </ul>
 */
public final class SlowViewerPolicy {

    /** The verdict for one frame. */
    public enum Decision {
        DELIVER,
        SKIP,
        DISCONNECT
    }

    private final long maxLagNanos;
    private boolean awaitingKeyframe = true;
    /** Whether the viewer got a video keyframe since it started or last skipped: its video decodes. */
    private boolean videoStarted;
    private long blockedSinceNanos = -1;
    private long skippedFrames;
    private long skipEpisodes;

    public SlowViewerPolicy(long maxLagNanos) {
        this.maxLagNanos = maxLagNanos;
    }

    /**
     * @param frame the frame about to be written
     * @param writable whether the viewer's connection can take more data now
     * @param streamHasVideo whether the stream carries video (audio-only streams never wait for a
     *     keyframe)
     * @param nowNanos {@link System#nanoTime()}
     */
    public Decision decide(MediaFrame frame, boolean writable, boolean streamHasVideo, long nowNanos) {
        if (frame.isConfig() || frame.isData()) {
            return Decision.DELIVER;
        }
        if (!writable) {
            if (blockedSinceNanos < 0) {
                blockedSinceNanos = nowNanos;
                skipEpisodes++;
            } else if (nowNanos - blockedSinceNanos > maxLagNanos) {
                return Decision.DISCONNECT;
            }
            awaitingKeyframe = true;
            videoStarted = false;
            skippedFrames++;
            return Decision.SKIP;
        }
        blockedSinceNanos = -1;
        if (awaitingKeyframe) {
            boolean startsHere = streamHasVideo ? frame.isVideo() && frame.isKeyframe() : true;
            if (!startsHere) {
                skippedFrames++;
                return Decision.SKIP;
            }
            awaitingKeyframe = false;
        }
        if (frame.isVideo()) {
            if (!videoStarted && !frame.isKeyframe()) {
                // started on audio while the stream had no video yet: the video starts at a keyframe
                skippedFrames++;
                return Decision.SKIP;
            }
            videoStarted = true;
        }
        return Decision.DELIVER;
    }

    /**
     * A video frame the viewer was not given because it asked for no video (RTMP
     * {@code receiveVideo(false)}): when it asks again, its video starts at a keyframe.
     */
    public void videoLeftOut() {
        videoStarted = false;
    }

    /** Frames skipped so far (while blocked or waiting for a keyframe). */
    public long skippedFrames() {
        return skippedFrames;
    }

    /** How many times the viewer fell behind. */
    public long skipEpisodes() {
        return skipEpisodes;
    }

    /** How long the connection has been blocked, 0 when it is not. */
    public long blockedNanos(long nowNanos) {
        return blockedSinceNanos < 0 ? 0 : nowNanos - blockedSinceNanos;
    }
}
