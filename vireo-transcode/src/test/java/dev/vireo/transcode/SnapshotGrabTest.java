package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A snapshot grabs the stream's sequence header and next keyframe: the header it keeps meanwhile is
 * given back however the grab ends (the picture, no keyframe in time).
 */
class SnapshotGrabTest {

    /** A real avcC (ffmpeg, Constrained Baseline 160x120). */
    private static final byte[] AVCC = HexFormat.of().parseHex(
            "0142c00affe100176742c00ad9047b0110000003001000000301e0f122648001000568cb83cb20");

    private final EventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamKey key = StreamKey.of("live", "snap");

    @AfterEach
    void tearDown() {
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aGrabWithoutKeyframeGivesTheSequenceHeaderBack() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        MediaFrame config = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC));
        try (Snapshots snapshots = new Snapshots(hub, null, Duration.ofSeconds(1))) {
            pub.send(config.retain()); // ours stays: 2 references, the stream's and ours

            CompletableFuture<byte[]> grab = snapshots.grab(key, 200);

            assertThatThrownBy(() -> grab.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(Snapshots.Unavailable.class).hasMessageContaining("no keyframe");
            Await.until(Duration.ofSeconds(10), () -> "the header given back (references: " + config.refCnt() + ")",
                    () -> config.refCnt() == 2);
        } finally {
            pub.close();
            config.release();
        }
    }

    @Test
    void aGrabWithAKeyframeMuxesItAndGivesBothBack() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        MediaFrame config = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC));
        MediaFrame key0 = MediaFrame.media(Codec.H264, 0, 0, true,
                Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0x65, (byte) 0x88}));
        try (Snapshots snapshots = new Snapshots(hub, null, Duration.ofSeconds(1))) {
            pub.send(config.retain());
            pub.send(key0.retain()); // cached: the grab's burst ends on it

            byte[] ts = snapshots.grab(key, 10_000).get(10, TimeUnit.SECONDS);

            assertThat(ts.length % 188).isZero();
            assertThat(ts[0]).isEqualTo((byte) 0x47);
            Await.until(Duration.ofSeconds(10), () -> "the header given back (references: " + config.refCnt() + ")",
                    () -> config.refCnt() == 2);
        } finally {
            pub.close();
            config.release();
            key0.release();
        }
    }
}
