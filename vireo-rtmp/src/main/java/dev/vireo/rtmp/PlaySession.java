package dev.vireo.rtmp;

import dev.vireo.core.FlushBatcher;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;

/**
 * A NetStream that plays: a hub {@link Subscriber} on the connection's event loop that writes
 * each frame's shared chunks ({@link RtmpChunkEncoding}) to the socket. Writes are flushed once per
 * batch of frames the hub hands over, not once per frame. The {@link SlowViewerPolicy} decides
 * whether a frame is written, skipped (the socket is above its high water mark) or whether the
 * viewer is too far behind and is disconnected.
 */
final class PlaySession implements Subscriber {

    /** Flush within a burst (the GOP cache) once this much is pending. */
    private static final int FLUSH_BYTES = 256 * 1024;

    private final Channel channel;
    private final SessionLog log;
    private final RtmpChunkEncoding encoding;
    private final SlowViewerPolicy policy;
    private final long maxLagMillis;
    private final FlushBatcher out;
    private Subscription subscription;
    private boolean stopped;
    private boolean receiveAudio = true;
    private boolean receiveVideo = true;
    private boolean streamHasVideo;
    private long framesSent;
    private long bytesSent;

    PlaySession(Channel channel, SessionLog log, RtmpChunkEncoding encoding, long maxLagNanos) {
        this.channel = channel;
        this.log = log;
        this.encoding = encoding;
        this.policy = new SlowViewerPolicy(maxLagNanos);
        this.maxLagMillis = maxLagNanos / 1_000_000;
        this.out = new FlushBatcher(channel, FLUSH_BYTES);
    }

    void attach(Subscription s) {
        this.subscription = s;
    }

    @Override
    public String id() {
        return log.sessionId();
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (stopped || !channel.isActive()) {
            return;
        }
        // NetStream.receiveAudio/receiveVideo(false): the client asked not to get that track.
        if (frame.isAudio() && !receiveAudio || frame.isVideo() && !receiveVideo && !frame.isConfig()) {
            return;
        }
        if (!streamHasVideo) {
            streamHasVideo = frame.isVideo() || subscription != null && subscription.stream().hasVideo();
        }
        switch (policy.decide(frame, channel.isWritable(), streamHasVideo && receiveVideo, System.nanoTime())) {
            case DELIVER -> {
                var chunks = frame.encoded(encoding);
                bytesSent += chunks.readableBytes();
                framesSent++;
                out.write(chunks.retainedDuplicate(), chunks.readableBytes());
            }
            case SKIP -> {
            }
            case DISCONNECT -> {
                stop();
                log.close(channel, "viewer too slow: could not take data for more than " + maxLagMillis
                        + " ms (" + policy.skippedFrames() + " frames skipped)", false);
            }
        }
    }

    /** The hub ended the stream: tell the player (Stream EOF, UnpublishNotify) and close. */
    @Override
    public void onEnd(String reason) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (!channel.isActive()) {
            return;
        }
        channel.write(UserControl.streamEof(channel.alloc(), RtmpChunkEncoding.STREAM_ID));
        channel.writeAndFlush(NetStatus.status("NetStream.Play.UnpublishNotify", reason).onStatus()
                .encode(channel.alloc(), RtmpChunkEncoding.STREAM_ID))
                .addListener(f -> log.close(channel, "stream ended: " + reason, false));
    }

    void receiveAudio(boolean on) {
        receiveAudio = on;
    }

    void receiveVideo(boolean on) {
        receiveVideo = on;
    }

    /** Detaches from the hub (closeStream, deleteStream, disconnect). */
    void stop() {
        stopped = true;
        if (subscription != null) {
            subscription.close();
        }
    }

    long framesSent() {
        return framesSent;
    }

    long bytesSent() {
        return bytesSent;
    }

    long framesSkipped() {
        return policy.skippedFrames();
    }
}
