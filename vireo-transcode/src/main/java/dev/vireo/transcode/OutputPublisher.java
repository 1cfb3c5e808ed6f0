package dev.vireo.transcode;

import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.transcode.html5.AudioCatchUp;
import dev.vireo.transcode.meter.FrameTimings;
import dev.vireo.transcode.meter.GapClock;
import dev.vireo.transcode.meter.LatencyMeter;
import dev.vireo.transcode.meter.RateMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Publishes a job's output into the hub under the output key, one publication for the job's life:
 * across ffmpeg restarts the viewers stay attached and see one continuous stream. That takes
 * care at a restart — the new process starts over at a source keyframe, so what it writes again
 * is dropped (per track, nothing at or before the last time stamp published), its video resumes
 * only at a keyframe, and configuration or metadata identical to what viewers have is not sent
 * again (that would reset their decoders for nothing). Called from the reader thread of the
 * current process, and from its writer thread for the video that goes past ffmpeg (see
 * {@link InputWriter}); synchronized for that, and because consecutive processes' readers may
 * overlap briefly.
 *
 * <p>Browser variants also drop the audio of ffmpeg's catch-up: a starting (or restarted) ffmpeg
 * finds up to a few seconds of input queued while it started, and works through it faster than
 * real time. Late video costs a WebRTC receiver nothing (it shows late frames at once), but late
 * audio arriving in a burst stays in its jitter buffer as delay, and its lip sync then holds the
 * video back as well (measured in Chromium: 0.7 s of audio buffered, 20 s to settle). So audio
 * is dropped until ffmpeg has caught up ({@link AudioCatchUp}); from then on everything passes.
 *
 * <p>A new process's video configuration that replaces the one viewers have (the re-encoding
 * ffmpeg that follows video past ffmpeg when B-frames appear, a restart with new parameters) is
 * held back until the process's first keyframe is published, and goes right in front of it: the
 * frames before that keyframe — dropped up to a GOP of them — are not sent, so what viewers and the
 * hub's GOP cache have was made with the old parameter sets, and a viewer joining in between (or a
 * WebRTC viewer's keyframe request, answered from the GOP cache) must get the old ones with it.
 * Within a process a configuration goes out as it comes (the source's, past ffmpeg, comes right
 * before its keyframe, or with the slices that use it).
 */
final class OutputPublisher {

    private final StreamHub hub;
    private final StreamKey key;
    private final String sessionId;
    private final Consumer<String> onRevoked;
    private final LatencyMeter latency;
    private final RateMeter rates;
    private final boolean liveAudioOnly;
    private final FrameTimings timings;
    private final GapClock gaps = new GapClock();
    /** Non-null while a browser variant's audio is still ffmpeg's catch-up. */
    private AudioCatchUp audioCatchUp;
    private long catchUpAudioDropped;
    private Publication publication;
    private boolean closed;
    private long lastVideoDts = Long.MIN_VALUE;
    private long lastAudioDts = Long.MIN_VALUE;
    private boolean videoNeedsKeyframe = true;
    private byte[] videoConfig;
    private byte[] audioConfig;
    private byte[] metadata;
    /** A new process's changed video configuration waiting for its keyframe (see above); owned here. */
    private MediaFrame heldVideoConfig;
    private boolean videoConfigSent;
    /** From a restart to the new process's first published keyframe: its video configuration is held. */
    private boolean holdVideoConfig;
    private long framesOut;
    private long firstFrameNanos;

    /** @param liveAudioOnly drop the audio of ffmpeg's catch-up (browser variants, see above) */
    OutputPublisher(StreamHub hub, StreamKey key, String sessionId, Consumer<String> onRevoked,
                    LatencyMeter latency, RateMeter rates, boolean liveAudioOnly, FrameTimings timings) {
        this.hub = hub;
        this.key = key;
        this.sessionId = sessionId;
        this.onRevoked = onRevoked;
        this.latency = latency;
        this.rates = rates;
        this.liveAudioOnly = liveAudioOnly;
        this.timings = timings;
        this.audioCatchUp = liveAudioOnly ? new AudioCatchUp() : null;
    }

    /**
     * A new ffmpeg process starts: its video must start on a keyframe, unless
     * {@code videoContinues} — the source's video that goes past ffmpeg goes on frame by frame
     * across the restart ({@link InputWriter#videoContinues}), so viewers' decoders are fine as they are.
     */
    synchronized void restarted(boolean videoContinues) {
        if (!videoContinues) {
            videoNeedsKeyframe = true;
            holdVideoConfig = true;
        }
        audioCatchUp = liveAudioOnly ? new AudioCatchUp() : null;
    }

    /**
     * Publishes (or drops) one frame; takes ownership of it.
     *
     * @throws HubException when the key cannot be published (someone else publishes it)
     */
    synchronized void publish(MediaFrame f) throws HubException {
        boolean sent = false;
        try {
            if (closed || !wanted(f)) {
                return;
            }
            if (f.isVideo() && f.isConfig() && videoConfigSent && holdVideoConfig) {
                if (heldVideoConfig != null) {
                    heldVideoConfig.release();
                }
                heldVideoConfig = f;
                sent = true;
                return;
            }
            if (publication == null) {
                publication = hub.publishDerived(key, sessionId, onRevoked);
            }
            long now = System.nanoTime();
            if (!f.isConfig() && !f.isData()) {
                long added = latency.output(f.isVideo(), f.pts(), now);
                if (f.isAudio() && audioCatchUp != null) {
                    if (!audioCatchUp.caughtUp(f.pts(), added, now)) {
                        catchUpAudioDropped++;
                        return;
                    }
                    audioCatchUp = null;
                }
                rates.frame(f.isVideo(), f.dts(), now);
                long gap = gaps.gap(f.isVideo(), now);
                if (gap >= 0) {
                    timings.gap(FrameTimings.Stage.OUT, f.isVideo(), gap);
                }
                if (framesOut++ == 0) {
                    firstFrameNanos = now;
                }
            }
            if (f.isVideo() && f.isKeyframe() && !f.isConfig()) {
                holdVideoConfig = false;
                if (heldVideoConfig != null) {
                    MediaFrame c = heldVideoConfig;
                    heldVideoConfig = null;
                    publication.send(c);
                }
            }
            if (f.isVideo() && f.isConfig()) {
                videoConfigSent = true;
            }
            sent = true;
            publication.send(f);
        } finally {
            if (!sent) {
                f.release();
            }
        }
    }

    private boolean wanted(MediaFrame f) {
        if (f.isData()) {
            return changed(metadata, f, b -> metadata = b);
        }
        if (f.isConfig()) {
            return f.isVideo() ? changed(videoConfig, f, b -> videoConfig = b) : changed(audioConfig, f, b -> audioConfig = b);
        }
        if (f.isVideo()) {
            if (f.dts() <= lastVideoDts || (videoNeedsKeyframe && !f.isKeyframe())) {
                return false;
            }
            videoNeedsKeyframe = false;
            lastVideoDts = f.dts();
            return true;
        }
        if (f.dts() <= lastAudioDts) {
            return false;
        }
        lastAudioDts = f.dts();
        return true;
    }

    private static boolean changed(byte[] last, MediaFrame f, Consumer<byte[]> remember) {
        ByteBuf p = f.payload();
        byte[] now = ByteBufUtil.getBytes(p, p.readerIndex(), p.readableBytes());
        if (Arrays.equals(last, now)) {
            return false;
        }
        remember.accept(now);
        return true;
    }

    /** Audio frames of ffmpeg's catch-up left out (browser variants). */
    synchronized long catchUpAudioDropped() {
        return catchUpAudioDropped;
    }

    synchronized long framesOut() {
        return framesOut;
    }

    /** System.nanoTime() of the first published media frame, 0 before. */
    synchronized long firstFrameNanos() {
        return firstFrameNanos;
    }

    /** No more frames; the publication itself ends with the job (the hub's kick revokes it). */
    synchronized void close() {
        closed = true;
        if (heldVideoConfig != null) {
            heldVideoConfig.release();
            heldVideoConfig = null;
        }
    }
}
