package dev.vireo.srt;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.EnumSet;
import java.util.Set;

/**
 * An SRT caller in {@code m=request}: a hub {@link Subscriber} whose executor is its listener's
 * {@link SrtLoop}, so frames arrive on the thread that owns the socket. Each frame is multiplexed
 * into MPEG-TS by {@code vireo-media}'s {@link TsMuxer} and sent as live-mode messages of 7 transport
 * packets. It starts on the GOP cache's keyframe like every viewer (the hub's start-up burst).
 *
 * <p>The muxer is per viewer, not a shared {@code FrameEncoding}: a TS muxer's output depends on
 * what it wrote before (continuity counters per PID, PSI before keyframes, the parameter sets of the
 * last configuration), and viewers join at different GOPs and skip differently, so one frame has no
 * one byte form for all of them. libsrt copies and (if a passphrase is set) encrypts every payload
 * per connection anyway.
 *
 * <p>Slow viewers follow {@link SlowViewerPolicy}: "writable" is "libsrt's send buffer took the last
 * message and holds less than {@link #CONGESTED_PACKETS}".
 */
final class SrtPlayer extends SrtSession implements Subscriber {

    /** Unacknowledged packets in libsrt's send buffer above which this viewer counts as blocked. */
    static final int CONGESTED_PACKETS = 4096;

    private final SrtLoop loop;
    private final SlowViewerPolicy policy;
    private final long maxLagMillis;
    private Subscription subscription;
    private static final Set<Codec> TS_VIDEO = EnumSet.of(Codec.H264, Codec.H265);
    private static final Set<Codec> TS_AUDIO = EnumSet.of(Codec.AAC, Codec.OPUS);

    private TsMuxer muxer;
    private Codec muxVideo;
    private Codec muxAudio;
    private boolean streamHasVideo;
    private boolean congested;
    private boolean stopped;
    private long frames;
    private long bytes;
    private String endReason;

    SrtPlayer(int socket, StreamKey key, SessionLog log, SrtLoop loop, long maxLagNanos) {
        super(socket, key, log);
        this.loop = loop;
        this.policy = new SlowViewerPolicy(maxLagNanos);
        this.maxLagMillis = maxLagNanos / 1_000_000;
    }

    @Override
    String role() {
        return "play";
    }

    void attach(Subscription s) {
        this.subscription = s;
    }

    @Override
    public String id() {
        return log.sessionId();
    }

    @Override
    public String protocol() {
        return "srt";
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (stopped || frame.isData()) {
            return;
        }
        if (muxer == null && !startMuxer(frame)) {
            return;
        }
        if (!muxer.carries(frame.codec())) {
            boolean carried = frame.isVideo() ? TS_VIDEO.contains(frame.codec())
                    : frame.isAudio() && TS_AUDIO.contains(frame.codec());
            boolean missing = frame.isVideo() ? muxVideo == null : muxAudio == null;
            // a track the muxer lacks, or another codec on one it has (a publisher that came back
            // within the reconnect grace with H.265 instead of H.264): its configuration comes first
            if (!carried || !(missing || frame.isConfig())) {
                return;
            }
            addTrack(frame);
        }
        if (!streamHasVideo) {
            streamHasVideo = frame.isVideo() || subscription != null && subscription.stream().hasVideo();
        }
        if (congested) {
            congested = loop.sendBufferPackets(socket) > CONGESTED_PACKETS / 2;
        }
        switch (policy.decide(frame, !congested, streamHasVideo, System.nanoTime())) {
            case DELIVER -> write(frame);
            case SKIP -> {
            }
            case DISCONNECT -> loop.closeSession(this, "viewer too slow: could not take data for more than "
                    + maxLagMillis + " ms (" + policy.skippedFrames() + " frames skipped)");
        }
    }

    private void write(MediaFrame frame) {
        long dts = frame.dts() * 90;
        TsSample s = frame.isConfig()
                ? TsSample.config(frame.codec(), dts, frame.payload().duplicate())
                : TsSample.media(frame.codec(), dts + frame.cts() * 90L, dts, frame.isKeyframe(), frame.payload().duplicate());
        ByteBuf out = loop.muxBuffer();
        try {
            muxer.write(s, out); // the sample's payload is the frame's: not released here
        } catch (MediaFormatException e) {
            loop.closeSession(this, "cannot put the stream in MPEG-TS: " + e.getMessage());
            return;
        }
        if (!out.isReadable()) {
            return;
        }
        int sent = loop.send(this, out);
        if (sent < 0) {
            return; // closed
        }
        bytes += sent;
        if (sent < out.readableBytes()) {
            congested = true; // the rest of this frame is lost to this viewer: it resumes at a keyframe
        } else if (!frame.isConfig()) {
            frames++;
        }
    }

    /** The muxer for the codecs the stream has; false (and the session closes) when TS cannot carry any. */
    private boolean startMuxer(MediaFrame first) {
        Stream st = subscription == null ? null : subscription.stream();
        Codec video = first.isVideo() ? first.codec() : codec(st, true);
        Codec audio = first.isAudio() ? first.codec() : codec(st, false);
        if (video != null && !TS_VIDEO.contains(video)) {
            log.warn("video {} cannot be carried in MPEG-TS here; sending the audio only", video);
            video = null;
        }
        if (audio != null && !TS_AUDIO.contains(audio)) {
            log.warn("audio {} cannot be carried in MPEG-TS here; sending the video only", audio);
            audio = null;
        }
        if (video == null && audio == null) {
            loop.closeSession(this, "the stream has no track MPEG-TS can carry");
            return false;
        }
        newMuxer(video, audio);
        return true;
    }

    /**
     * A track that was not there when the muxer started (a publisher's audio configuration that came
     * after the viewer joined), or a track whose codec changed: a new muxer with both, its
     * configurations taken from the stream; the new PMT differs in content and CRC, which is what
     * demuxers (ffmpeg's) watch for.
     */
    private void addTrack(MediaFrame frame) {
        Codec replaced = frame.isVideo() ? muxVideo : muxAudio;
        Codec video = frame.isVideo() ? frame.codec() : muxVideo;
        Codec audio = frame.isAudio() ? frame.codec() : muxAudio;
        if (replaced != null) {
            log.info("the stream's {} is now {}: restarting its MPEG-TS program", replaced, frame.codec());
        } else {
            log.info("the stream now has {} as well: restarting its MPEG-TS program with both tracks", frame.codec());
        }
        newMuxer(video, audio);
    }

    private void newMuxer(Codec video, Codec audio) {
        muxer = new TsMuxer(video, audio);
        muxVideo = video;
        muxAudio = audio;
        Stream st = subscription == null ? null : subscription.stream();
        if (st == null) {
            return;
        }
        for (int track = 0; track < 2; track++) {
            // taken one at a time (retained for us): an exception on the first cannot leave the second held
            MediaFrame config = track == 0 ? st.videoConfig() : st.audioConfig();
            if (config == null) {
                continue;
            }
            try {
                if (muxer.carries(config.codec())) {
                    muxer.write(TsSample.config(config.codec(), config.dts() * 90, config.payload().duplicate()),
                            loop.muxBuffer());
                }
            } catch (MediaFormatException e) {
                log.warn("the stream's {} configuration cannot be used in MPEG-TS: {}", config.codec(), e.getMessage());
            } finally {
                config.release();
            }
        }
    }

    /** The stream's current video or audio codec, or null. */
    private static Codec codec(Stream st, boolean video) {
        if (st == null) {
            return null;
        }
        return video ? st.videoCodec() : st.audioCodec();
    }

    @Override
    public void onEnd(String reason) {
        if (stopped) {
            return;
        }
        endReason = reason;
        loop.closeSession(this, "stream ended: " + reason);
    }

    @Override
    long frames() {
        return frames;
    }

    @Override
    String summary() {
        return frames + " frames / " + bytes + " bytes sent, " + policy.skippedFrames() + " frames skipped";
    }

    @Override
    void release() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (subscription != null && endReason == null) {
            subscription.close();
        }
    }
}
