package dev.vireo.bench;

import dev.vireo.rtmp.RtmpClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a {@link SourceClip} over RTMP in real time: the headers once, then the media tags
 * paced by their timestamps ({@link LoopTimeline}), looping with increasing timestamps. Every
 * coded video tag gets the send time stamped into it ({@link WallclockSei}) just before it is
 * written, which is what viewers measure latency against. Runs on its own event loop so its
 * pacing does not compete with the viewers' loops.
 */
final class ClipPublisher implements AutoCloseable {

    private final RtmpClient client;
    private final SourceClip clip;
    private final EventLoop loop;
    private final FlowCounters counters;
    private volatile boolean closing;
    private volatile String closeReason;
    private volatile long maxLagNanos;
    private long startNanos;
    private long loopIndex;
    private int next;
    /** The wallclock SEI goes into one video frame in this many (1 = every frame). */
    private final int stampEvery;
    private long videoFrames;

    private ClipPublisher(RtmpClient client, SourceClip clip, EventLoop loop, Measurement measurement,
                          int stampEvery) {
        this.stampEvery = stampEvery;
        this.client = client;
        this.clip = clip;
        this.loop = loop;
        this.counters = new FlowCounters(measurement, false);
    }

    /**
     * Connects, publishes and starts sending.
     *
     * @param group a single-thread group: the client's channel and the pacing share its loop
     */
    static ClipPublisher start(EventLoopGroup group, URI url, SourceClip clip, Measurement measurement,
                               int stampEvery) throws Exception {
        RtmpClient client = RtmpClient.connect(url.toString(), group, EpollSocketChannel.class).get(10, TimeUnit.SECONDS);
        RtmpClient.Status status;
        try {
            status = client.publish().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            client.close();
            throw e;
        }
        if (status.isError() || !status.code().equals("NetStream.Publish.Start")) {
            client.close();
            throw new IllegalStateException("publish refused: " + status.code() + ": " + status.description());
        }
        ClipPublisher p = new ClipPublisher(client, clip, group.next(), measurement, stampEvery);
        client.closeFuture().thenRun(() -> {
            if (!p.closing) {
                p.closeReason = "server closed the publisher's connection";
            }
        });
        p.loop.execute(p::begin);
        return p;
    }

    /** Sent-side counters: frames whose stamp falls in a window are the "source frames" of it. */
    FlowCounters counters() {
        return counters;
    }

    boolean isOpen() {
        return client.isOpen() && closeReason == null;
    }

    String closeReason() {
        return closeReason;
    }

    /** Worst lateness of a send against its schedule: above a few ms the bench itself is overloaded. */
    long maxLagMillis() {
        return maxLagNanos / 1_000_000;
    }

    private void begin() {
        for (SourceClip.Tag t : clip.headers()) {
            client.sendTag(t.type(), 0, Unpooled.wrappedBuffer(t.body()));
        }
        startNanos = System.nanoTime();
        tick();
    }

    private void tick() {
        if (closing || !client.isOpen()) {
            return;
        }
        long now = System.nanoTime();
        LoopTimeline timeline = clip.timeline();
        while (true) {
            SourceClip.Tag t = clip.media().get(next);
            long due = timeline.dueNanos(startNanos, loopIndex, t.timestamp());
            if (due > now) {
                loop.schedule(this::tick, due - now, TimeUnit.NANOSECONDS);
                return;
            }
            maxLagNanos = Math.max(maxLagNanos, now - due);
            send(t, timeline.outputMs(loopIndex, t.timestamp()));
            if (++next == clip.media().size()) {
                next = 0;
                loopIndex++;
            }
        }
    }

    private void send(SourceClip.Tag t, long timestampMs) {
        long stamp = BenchClock.nowNanos();
        boolean stamped = t.codedVideo() && videoFrames++ % stampEvery == 0;
        ByteBuf body = stamped
                ? WallclockSei.stamp(ByteBufAllocator.DEFAULT, t.body(), clip.nalLengthSize(), stamp)
                : Unpooled.wrappedBuffer(t.body());
        counters.onMedia(stamp, body.readableBytes(), t.codedVideo(), t.codedVideo() ? stamp : -1);
        client.sendTag(t.type(), timestampMs, body);
    }

    @Override
    public void close() {
        closing = true;
        client.close();
    }
}
