package dev.vireo.cluster.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.cluster.StreamDirectory;
import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hubs in one process, an origin and an edge, connected by the relay over loopback TCP: what
 * the origin's publisher sends reaches the edge's viewers frame for frame.
 */
class RelayLoopbackTest {

    private static final StreamKey KEY = StreamKey.of("live", "demo");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private EventLoopGroup group;
    private EventExecutor timer;
    private EventExecutor viewerLoop;
    private StreamHub origin;
    private StreamHub edge;
    private RelayServer server;
    private EdgeSource source;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = new DefaultEventExecutor();
        viewerLoop = new DefaultEventExecutor();
        HubConfig hub = HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(3))
                .withOnDemandStartTimeout(Duration.ofSeconds(5));
        origin = new StreamHub(hub, timer);
        edge = new StreamHub(hub, timer);
    }

    private void start(String originSecret, String edgeSecret) {
        server = new RelayServer(RelayOptions.defaults("A", "127.0.0.1", 0, originSecret), origin, group, group,
                NioServerSocketChannel.class);
        int port = server.start();
        StreamDirectory directory = key -> Optional.ofNullable(Map.of(KEY,
                new StreamDirectory.NodeAddress("A", "eu", "127.0.0.1", port)).get(key));
        source = new EdgeSource(RelayOptions.defaults("B", "127.0.0.1", 0, edgeSecret)
                .withIdleGrace(Duration.ofMillis(200)), edge, directory, group, NioSocketChannel.class);
        source.start();
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        if (server != null) {
            server.close();
        }
        origin.close();
        edge.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        timer.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        viewerLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void viewersOfTheEdgeShareOnePullAndStartOnTheCachedKeyframe() throws Exception {
        start("s3cret", "s3cret");
        Publication pub = origin.publish(KEY, "pub", r -> { });
        pub.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 0x64, 0, 0x1f})));
        pub.send(MediaFrame.media(Codec.H264, 0, 40, true, Unpooled.wrappedBuffer(nal(6, 5))));
        pub.send(MediaFrame.media(Codec.H264, 33, 0, false, Unpooled.wrappedBuffer(nal(1))));

        Viewer v1 = new Viewer("v1");
        Viewer v2 = new Viewer("v2");
        Viewer v3 = new Viewer("v3");
        Subscription s1 = edge.subscribe(KEY, v1);
        Subscription s2 = edge.subscribe(KEY, v2);
        Subscription s3 = edge.subscribe(KEY, v3);
        // the GOP cache: config, keyframe (SEI kept, cts kept), the P-frame
        Await.until(WAIT, "the edge viewers' start-up burst", () -> v1.frames.size() >= 3 && v3.frames.size() >= 3);
        assertThat(v1.frames.get(0)).isEqualTo("H264 config dts=0 cts=0 size=4");
        assertThat(v1.frames.get(1)).isEqualTo("H264 key dts=0 cts=40 size=" + nal(6, 5).length);
        assertThat(v1.payloads.get(1)).isEqualTo(ByteBufUtil.hexDump(nal(6, 5)));
        assertThat(v1.frames.get(2)).startsWith("H264 dts=33");
        assertThat(origin.find(KEY).orElseThrow().viewerCount()).as("one pull for three edge viewers").isEqualTo(1);
        assertThat(source.pullsStarted()).isEqualTo(1);

        pub.send(MediaFrame.media(Codec.H264, 66, 0, false, Unpooled.wrappedBuffer(nal(1))));
        Await.until(WAIT, "a live frame", () -> v2.frames.size() >= 4);
        assertThat(v2.frames.get(3)).startsWith("H264 dts=66");

        // the last viewer leaves: the pull stops after the idle grace
        s1.close();
        s2.close();
        s3.close();
        Await.until(WAIT, "the idle pull to stop", () -> source.pulling().isEmpty()
                && origin.find(KEY).map(Stream::viewerCount).orElse(0) == 0);
        pub.close();
    }

    @Test
    void theOriginsEndReachesTheEdgeViewers() throws Exception {
        start("s3cret", "s3cret");
        Publication pub = origin.publish(KEY, "pub", r -> { });
        pub.send(MediaFrame.media(Codec.H264, 0, 0, true, Unpooled.wrappedBuffer(nal(5))));
        Viewer v = new Viewer("v");
        edge.subscribe(KEY, v);
        Await.until(WAIT, "the first frame", () -> !v.frames.isEmpty());
        origin.kick(KEY, "kicked by the operator");
        Await.until(WAIT, "the edge viewer's end", () -> v.end != null);
        assertThat(v.end).isEqualTo("kicked by the operator");
        Await.until(WAIT, "the edge stream to be gone", () -> edge.find(KEY).isEmpty() && source.pulling().isEmpty());
    }

    @Test
    void aWrongSecretIsRefused() throws Exception {
        start("s3cret", "not the secret");
        Publication pub = origin.publish(KEY, "pub", r -> { });
        pub.send(MediaFrame.media(Codec.H264, 0, 0, true, Unpooled.wrappedBuffer(nal(5))));
        Viewer v = new Viewer("v");
        edge.subscribe(KEY, v);
        Await.until(WAIT, "the refusal", () -> v.end != null);
        assertThat(v.end).contains("failed authentication");
        assertThat(v.frames).isEmpty();
        assertThat(origin.find(KEY).orElseThrow().viewerCount()).isZero();
    }

    @Test
    void theOriginRefusesAPeerWithoutTheSecret() throws Exception {
        start("s3cret", "s3cret");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            var out = socket.getOutputStream();
            var in = new java.io.DataInputStream(socket.getInputStream());
            io.netty.buffer.ByteBuf hello = RelayFrameWriter.hello(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
                    RelayAuth.nonce(), "intruder");
            out.write(ByteBufUtil.getBytes(hello));
            hello.release();
            RelayMessage challenge = readFrame(in);
            assertThat(challenge).isInstanceOf(RelayMessage.Challenge.class);
            // a proof made with another secret
            byte[] wrong = new RelayAuth("guess").edgeProof(new byte[32], ((RelayMessage.Challenge) challenge).nonce());
            io.netty.buffer.ByteBuf auth = RelayFrameWriter.auth(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, wrong);
            out.write(ByteBufUtil.getBytes(auth));
            auth.release();
            RelayMessage refusal = readFrame(in);
            assertThat(refusal).isEqualTo(new RelayMessage.Error(RelayMessage.Error.AUTH_FAILED,
                    "authentication failed (cluster.secret differs)"));
            assertThat(in.read()).as("closed after the refusal").isEqualTo(-1);
        }
        assertThat(server.refusals()).isEqualTo(1);
    }

    private static RelayMessage readFrame(java.io.DataInputStream in) throws java.io.IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        return RelayFrameReader.read(Unpooled.buffer().writeInt(length).writeBytes(body), RelayLimits.HANDSHAKE);
    }

    @Test
    void aKeyNoNodePublishesEndsAtOnce() throws Exception {
        start("s3cret", "s3cret");
        Viewer v = new Viewer("v");
        edge.subscribe(StreamKey.of("live", "nobody"), v);
        Await.until(WAIT, "the end", () -> v.end != null);
        assertThat(v.end).isEqualTo("stream /live/nobody is not live on any node");
    }

    @Test
    void anOriginLostWithinTheGraceIsPulledAgain() throws Exception {
        start("s3cret", "s3cret");
        Publication pub = origin.publish(KEY, "pub", r -> { });
        pub.send(MediaFrame.media(Codec.H264, 0, 0, true, Unpooled.wrappedBuffer(nal(5))));
        Viewer v = new Viewer("v");
        edge.subscribe(KEY, v);
        Await.until(WAIT, "the first frame", () -> !v.frames.isEmpty());
        // the origin's relay connections drop (the node restarts its listener on the same port)
        int port = server.port();
        server.close();
        server = new RelayServer(RelayOptions.defaults("A", "127.0.0.1", port, "s3cret"), origin, group, group,
                NioServerSocketChannel.class);
        server.start();
        Await.until(WAIT, "the pull again", () -> origin.find(KEY).map(Stream::viewerCount).orElse(0) == 1);
        pub.send(MediaFrame.media(Codec.H264, 40, 0, true, Unpooled.wrappedBuffer(nal(5))));
        Await.until(WAIT, "frames after the re-pull", () -> v.frames.stream().filter(f -> f.contains("key")).count() >= 3);
        assertThat(v.end).isNull();
    }

    private static byte[] nal(int... types) {
        var out = Unpooled.buffer();
        for (int t : types) {
            out.writeInt(2).writeByte(t).writeByte(0x88);
        }
        return ByteBufUtil.getBytes(out);
    }

    private final class Viewer implements Subscriber {
        final String id;
        final List<String> frames = new CopyOnWriteArrayList<>();
        final List<String> payloads = new CopyOnWriteArrayList<>();
        volatile String end;

        Viewer(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public EventExecutor executor() {
            return viewerLoop;
        }

        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame.toString());
            payloads.add(ByteBufUtil.hexDump(frame.payload()));
        }

        @Override
        public void onEnd(String reason) {
            end = reason;
        }
    }
}
