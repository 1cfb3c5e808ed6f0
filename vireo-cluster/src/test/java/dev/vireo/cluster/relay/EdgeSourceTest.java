package dev.vireo.cluster.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edge source's end of a pull that cannot go on, against the hub, without a network: it ends
 * the pull's own stream, and never a local publisher that took the key over between the pull's
 * stop and that end (issue 19 review: the end used to kick whatever held the key).
 */
class EdgeSourceTest {

    private static final StreamKey KEY = StreamKey.of("live", "demo");
    private static final String ENDED = "the stream ended at its origin";

    private final EventExecutor timer = new DefaultEventExecutor();
    private final EventExecutor viewerLoop = new DefaultEventExecutor();
    // graces no timer reaches during the test, however loaded the machine
    private final StreamHub hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(60))
            .withOnDemandStartTimeout(Duration.ofSeconds(60)), timer);
    private final EdgeSource source = new EdgeSource(RelayOptions.defaults("B", "127.0.0.1", 0, "s3cret"), hub,
            key -> Optional.empty(), null, NioSocketChannel.class);

    @AfterEach
    void tearDown() {
        source.close();
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        viewerLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aPullThatCannotGoOnEndsItsOwnStream() throws Exception {
        EdgePull pull = new EdgePull(KEY, "pull-test-1", source);
        Publication standIn = hub.publishStandIn(KEY, pull.id(), pull::stop);
        standIn.send(keyframe(0));
        Viewer viewer = new Viewer();
        hub.subscribe(KEY, viewer);

        assertThat(pull.stop(ENDED)).isTrue();
        source.endStream(pull, ENDED, 0);
        assertThat(viewer.end.get(5, TimeUnit.SECONDS)).isEqualTo(ENDED);
        assertThat(hub.find(KEY)).isEmpty();
    }

    @Test
    void aLocalPublisherAdmittedAfterThePullStoppedIsNotEndedByIt() throws Exception {
        EdgePull pull = new EdgePull(KEY, "pull-test-2", source);
        Publication standIn = hub.publishStandIn(KEY, pull.id(), pull::stop);
        standIn.send(keyframe(0));
        Viewer viewer = new Viewer();
        hub.subscribe(KEY, viewer);
        Await.until(Duration.ofSeconds(5), "the stand-in's keyframe at the viewer", () -> viewer.frames.size() == 1);

        // The origin ends the stream: the pull stops first (its connection closes later, on its loop) ...
        assertThat(pull.stop(ENDED)).isTrue();
        // ... and before it ends its stream, the encoder reconnects here: admitted, it pre-empts the stand-in.
        CompletableFuture<String> kicked = new CompletableFuture<>();
        Publication local = hub.publish(KEY, "rtmp-1", kicked::complete);
        Stream stream = hub.find(KEY).orElseThrow();
        assertThat(stream.isDerived()).isFalse();

        source.endStream(pull, ENDED, 0);

        assertThat(kicked).as("the local publisher is not kicked by the stopped pull").isNotDone();
        assertThat(local.isRevoked()).isFalse();
        assertThat(hub.find(KEY)).containsSame(stream);
        assertThat(stream.isLive()).isTrue();
        // its viewer carries on with the local publisher
        local.send(keyframe(0));
        Await.until(Duration.ofSeconds(5), "the local publisher's keyframe at the viewer", () -> viewer.frames.size() == 2);
        assertThat(viewer.end).isNotDone();
        local.close();
    }

    private static MediaFrame keyframe(long dts) {
        return MediaFrame.media(Codec.H264, dts, 0, true, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0x65, (byte) 0x88}));
    }

    private final class Viewer implements Subscriber {
        final List<String> frames = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> end = new CompletableFuture<>();

        @Override
        public String id() {
            return "viewer";
        }

        @Override
        public EventExecutor executor() {
            return viewerLoop;
        }

        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame.toString());
        }

        @Override
        public void onEnd(String reason) {
            end.complete(reason);
        }
    }
}
