package dev.vireo.bench.source;

import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.bench.peers.JanusProcess;
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
 * Publishes a {@link SourceClip} in real time: the headers once, then the media tags paced by
 * their timestamps ({@link LoopTimeline}), looping with increasing timestamps. Every coded video
 * tag gets the send time stamped into it ({@link WallclockSei}) just before it is written, which
 * is what viewers measure latency against. Runs on its own event loop so its pacing does not
 * compete with the viewers' loops.
 *
 * <p>Pacing and stamping are the same for every server; only the {@link Sink} differs: RTMP
 * ({@link #start}) for Vireo and nginx-rtmp, plain RTP ({@link #startRtp}, {@link RtpClipSink})
 * for Janus, which has no RTMP ingest.
 */
public final class ClipPublisher implements AutoCloseable {

    /** Where the paced tags go; called on the publisher's loop only. */
    interface Sink {

        /** A header tag (metadata, codec configuration), before any media. */
        void header(SourceClip.Tag tag);

        /** A media tag with its output timestamp; takes ownership of {@code body}. */
        void media(SourceClip.Tag tag, long timestampMs, ByteBuf body);

        boolean isOpen();

        void close();
    }

    private final Sink sink;
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

    private ClipPublisher(Sink sink, SourceClip clip, EventLoop loop, Measurement measurement,
                          int stampEvery) {
        this.stampEvery = stampEvery;
        this.sink = sink;
        this.clip = clip;
        this.loop = loop;
        this.counters = new FlowCounters(measurement, false);
    }

    /**
     * Connects, publishes and starts sending.
     *
     * @param group a single-thread group: the client's channel and the pacing share its loop
     */
    public static ClipPublisher start(EventLoopGroup group, URI url, SourceClip clip, Measurement measurement,
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
        ClipPublisher p = new ClipPublisher(new RtmpSink(client), clip, group.next(), measurement, stampEvery);
        client.closeFuture().thenRun(() -> {
            if (!p.closing) {
                p.closeReason = "server closed the publisher's connection";
            }
        });
        p.loop.execute(p::begin);
        return p;
    }

    /**
     * Sends the clip as plain RTP (no SRTP, no RTCP: a local encoder's feed) to a server's RTP
     * input, e.g. a Janus Streaming mountpoint.
     *
     * @param group a single-thread group: the socket and the pacing share its loop
     */
    public static ClipPublisher startRtp(EventLoopGroup group, JanusProcess.RtpIngest ingest, SourceClip clip,
                                  Measurement measurement, int stampEvery) throws Exception {
        RtpClipSink sink = RtpClipSink.open(group, ingest, clip);
        ClipPublisher p = new ClipPublisher(sink, clip, group.next(), measurement, stampEvery);
        p.loop.execute(p::begin);
        return p;
    }

    /** SRT publishing: the clip as MPEG-TS over a libsrt caller ({@link SrtClipSink}). */
    public static ClipPublisher startSrt(EventLoopGroup group, java.net.InetSocketAddress address, String streamId,
                                  int latencyMs, SourceClip clip, dev.vireo.media.Codec audio, Measurement measurement)
            throws Exception {
        SrtClipSink sink = SrtClipSink.connect(address, streamId, latencyMs, audio);
        ClipPublisher p = new ClipPublisher(sink, clip, group.next(), measurement, 1);
        p.loop.execute(p::begin);
        return p;
    }

    /** Sent-side counters: frames whose stamp falls in a window are the "source frames" of it. */
    public FlowCounters counters() {
        return counters;
    }

    public boolean isOpen() {
        return sink.isOpen() && closeReason == null;
    }

    public String closeReason() {
        return closeReason;
    }

    /** Worst lateness of a send against its schedule: above a few ms the bench itself is overloaded. */
    public long maxLagMillis() {
        return maxLagNanos / 1_000_000;
    }

    private void begin() {
        for (SourceClip.Tag t : clip.headers()) {
            sink.header(t);
        }
        startNanos = System.nanoTime();
        tick();
    }

    private void tick() {
        if (closing || !sink.isOpen()) {
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
        sink.media(t, timestampMs, body);
    }

    /** RTMP publishing: tags go out as RTMP messages unchanged. */
    private record RtmpSink(RtmpClient client) implements Sink {

        @Override
        public void header(SourceClip.Tag tag) {
            client.sendTag(tag.type(), 0, Unpooled.wrappedBuffer(tag.body()));
        }

        @Override
        public void media(SourceClip.Tag tag, long timestampMs, ByteBuf body) {
            client.sendTag(tag.type(), timestampMs, body);
        }

        @Override
        public boolean isOpen() {
            return client.isOpen();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    @Override
    public void close() {
        closing = true;
        sink.close();
    }
}
