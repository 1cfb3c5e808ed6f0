package dev.vireo.rtmp;

import dev.vireo.core.FlushBatcher;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;

/**
 * A NetStream that plays: a hub {@link Subscriber} on the connection's event loop that writes
 * each frame's shared chunks ({@link RtmpChunkEncoding}) to the socket. The chunks are complete
 * bytes, so they are written from the head of the pipeline (no handler has anything to do with
 * them). Writes are flushed once per batch of frames the hub hands over, not once per frame;
 * under load ({@link EgressWindow}) the frames of a window are gathered and written as one.
 * The {@link SlowViewerPolicy} decides whether a frame is written, skipped (the socket is above
 * its high water mark) or whether the viewer is too far behind and is disconnected.
 */
final class PlaySession implements Subscriber {

    /** Flush within a burst (the GOP cache) once this much is pending. */
    private static final int FLUSH_BYTES = 256 * 1024;
    /** Frames one gathered write may hold (a window at 80 frames/s holds a few). */
    private static final int MAX_GATHERED = 64;

    private final Channel channel;
    private final SessionLog log;
    private final RtmpChunkEncoding encoding;
    private final SlowViewerPolicy policy;
    private final long maxLagMillis;
    private final FlushBatcher out;
    /** Writes skipping the pipeline's handlers: the chunks are final bytes. */
    private final ChannelHandlerContext head;
    private final EgressWindow window;
    private final Runnable flushPending = this::flushPending;
    /** Frames gathered for the current egress window, or null. */
    private CompositeByteBuf pending;
    private boolean joined;
    private Subscription subscription;
    private boolean stopped;
    private boolean receiveAudio = true;
    private boolean receiveVideo = true;
    private boolean streamHasVideo;
    private long framesSent;
    private long bytesSent;

    PlaySession(Channel channel, SessionLog log, RtmpChunkEncoding encoding, long maxLagNanos, EgressWindow window) {
        this.channel = channel;
        this.log = log;
        this.encoding = encoding;
        this.policy = new SlowViewerPolicy(maxLagNanos);
        this.maxLagMillis = maxLagNanos / 1_000_000;
        this.head = channel.pipeline().firstContext();
        this.out = new FlushBatcher(head, channel.eventLoop(), FLUSH_BYTES);
        this.window = window;
    }

    /** On the loop, after a successful subscribe. */
    void attach(Subscription s) {
        this.subscription = s;
        if (!stopped && !joined) {
            joined = true;
            window.join();
        }
    }

    @Override
    public String id() {
        return log.sessionId();
    }

    @Override
    public String protocol() {
        return "rtmp";
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
        if (frame.isAudio() && !receiveAudio) {
            return;
        }
        if (frame.isVideo() && !receiveVideo && !frame.isConfig()) {
            policy.videoLeftOut(); // turned on again, the video starts at a keyframe
            return;
        }
        if (!streamHasVideo) {
            streamHasVideo = frame.isVideo() || subscription != null && subscription.stream().hasVideo();
        }
        switch (policy.decide(frame, channel.isWritable(), streamHasVideo && receiveVideo, System.nanoTime())) {
            case DELIVER -> {
                ByteBuf chunks = frame.encoded(encoding);
                int size = chunks.readableBytes();
                bytesSent += size;
                framesSent++;
                if (pending == null && !window.active()) {
                    out.write(chunks.retainedDuplicate(), size);
                    return;
                }
                // Gathered until the window closes; what is pending keeps its order before later frames.
                if (pending == null) {
                    pending = channel.alloc().compositeDirectBuffer(MAX_GATHERED);
                    window.add(flushPending);
                }
                pending.addComponent(true, chunks.retainedDuplicate());
                if (pending.readableBytes() >= FLUSH_BYTES || pending.numComponents() >= MAX_GATHERED) {
                    flushPending(); // a burst (the GOP cache): do not hold it
                }
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

    /** Writes and flushes the frames gathered in the current window (from the window's task). */
    private void flushPending() {
        CompositeByteBuf p = pending;
        if (p == null) {
            return;
        }
        pending = null;
        if (!channel.isActive()) {
            p.release();
            return;
        }
        head.write(p, head.voidPromise());
        head.flush();
    }

    private void leaveWindow() {
        if (joined) {
            joined = false;
            window.leave();
        }
    }

    /** The hub ended the stream: tell the player (Stream EOF, UnpublishNotify) and close. */
    @Override
    public void onEnd(String reason) {
        if (stopped) {
            return;
        }
        stopped = true;
        flushPending();
        leaveWindow();
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
        leaveWindow();
        if (pending != null) {
            if (channel.isActive()) {
                flushPending();
            } else {
                pending.release();
                pending = null;
            }
        }
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
