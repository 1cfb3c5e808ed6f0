package dev.vireo.srt;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A hub and an SRT server on an ephemeral port, for tests with real SRT peers. */
final class SrtFixture implements AutoCloseable {

    final EventExecutor executor = new DefaultEventExecutor();
    final StreamHub hub;
    final SrtServer server;
    final int port;

    SrtFixture(Gate gate, SrtConfig config) {
        hub = new StreamHub(HubConfig.defaults(), executor);
        server = new SrtServer(config.withBind("127.0.0.1", 0), hub, gate);
        port = server.start();
        if (port < 0) {
            String message = "libsrt 1.5 is not installed (./test installs libsrt1.5-openssl)";
            if (Boolean.getBoolean("vireo.requirePeers")) {
                throw new AssertionError(message);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, message);
        }
    }

    SrtFixture() {
        this(Gate.allowAll(), SrtConfig.defaults());
    }

    String url(String streamId, String extra) {
        return "srt://127.0.0.1:" + port + "?streamid=" + streamId + extra;
    }

    static String ffmpeg() {
        return Peers.ffmpeg();
    }

    boolean isLive(String app, String stream) {
        return hub.find(new StreamKey(StreamKey.DEFAULT_VHOST, app, stream)).map(Stream::isLive).orElse(false);
    }

    /** A hub viewer that counts what it gets. */
    Counting watch(String app, String stream) throws Exception {
        Counting c = new Counting(executor);
        c.subscription = hub.subscribe(new StreamKey(StreamKey.DEFAULT_VHOST, app, stream), c);
        return c;
    }

    static final class Counting implements Subscriber {
        final EventExecutor executor;
        final AtomicLong video = new AtomicLong();
        final AtomicLong audio = new AtomicLong();
        final AtomicLong keyframes = new AtomicLong();
        final List<Codec> configs = new CopyOnWriteArrayList<>();
        final List<Long> videoDts = new CopyOnWriteArrayList<>();
        volatile String ended;
        Subscription subscription;

        Counting(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public String id() {
            return "test-viewer";
        }

        @Override
        public EventExecutor executor() {
            return executor;
        }

        @Override
        public void onFrame(MediaFrame f) {
            if (f.isConfig()) {
                configs.add(f.codec());
            } else if (f.isVideo()) {
                video.incrementAndGet();
                videoDts.add(f.dts());
                if (f.isKeyframe()) {
                    keyframes.incrementAndGet();
                }
            } else if (f.isAudio()) {
                audio.incrementAndGet();
            }
        }

        @Override
        public void onEnd(String reason) {
            ended = reason;
        }
    }

    @Override
    public void close() {
        hub.close();
        server.close();
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
