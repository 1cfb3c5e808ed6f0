package dev.vireo.server;

import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvBodyWriter;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.rtmp.RtmpClient;
import dev.vireo.webrtc.testing.Av1Clip;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An enhanced RTMP AV1 publisher for tests (ffmpeg 5.1 cannot publish AV1 over RTMP): sends the
 * clip's av1C as a SequenceStart, then its temporal units as CodedFrames ({@code av01} FOURCC) at
 * their pace, looping with ever-growing time stamps.
 */
final class Av1RtmpPublisher implements AutoCloseable {

    private final EventLoopGroup group;
    private final RtmpClient client;
    private final Av1Clip clip;
    private final long frameMillis;
    private volatile ScheduledFuture<?> pacing;
    private long sent;

    private Av1RtmpPublisher(EventLoopGroup group, RtmpClient client, Av1Clip clip) {
        this.group = group;
        this.client = client;
        this.clip = clip;
        this.frameMillis = Math.round(1000.0 * clip.timebaseNum() / clip.timebaseDen());
    }

    /**
     * Connects to {@code url} (rtmp://host:port/app/stream), publishes and starts sending.
     *
     * @param av1c the SequenceStart payload (usually {@code clip.av1c()})
     */
    static Av1RtmpPublisher start(String url, byte[] av1c, Av1Clip clip) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            RtmpClient client = RtmpClient.connect(url, group, NioSocketChannel.class).get(10, TimeUnit.SECONDS);
            RtmpClient.Status status = client.publish().get(10, TimeUnit.SECONDS);
            if (status.isError()) {
                client.close();
                throw new IllegalStateException("publish refused: " + status.code() + ": " + status.description());
            }
            Av1RtmpPublisher p = new Av1RtmpPublisher(group, client, clip);
            EventLoop loop = group.next();
            loop.execute(() -> {
                client.sendTag(RtmpClient.TAG_VIDEO, 0, FlvBodyWriter.video(ByteBufAllocator.DEFAULT, Codec.AV1,
                        FlvPacketKind.CONFIG, true, 0, Unpooled.wrappedBuffer(av1c)));
                p.pacing = loop.scheduleAtFixedRate(p::next, 0, p.frameMillis, TimeUnit.MILLISECONDS);
            });
            return p;
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The next temporal unit; its time stamp is its place in the loop, at the clip's frame rate. */
    private void next() {
        if (!client.isOpen()) {
            return;
        }
        Av1Clip.TemporalUnit tu = clip.units().get((int) (sent % clip.units().size()));
        client.sendTag(RtmpClient.TAG_VIDEO, sent * frameMillis, FlvBodyWriter.video(ByteBufAllocator.DEFAULT,
                Codec.AV1, FlvPacketKind.CODED, tu.keyframe(), 0, Unpooled.wrappedBuffer(tu.obus())));
        sent++;
    }

    @Override
    public void close() {
        if (pacing != null) {
            pacing.cancel(false);
        }
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
