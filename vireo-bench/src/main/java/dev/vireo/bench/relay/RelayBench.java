package dev.vireo.bench.relay;

import ch.qos.logback.classic.Level;
import dev.vireo.cluster.StreamDirectory;
import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.media.Codec;
import dev.vireo.server.Config;
import dev.vireo.server.VireoServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

/**
 * Origin/edge relay (issue 19), nodes in this one process on loopback (their own event loops,
 * the relay over real TCP):
 *
 * <ol>
 *   <li><b>Added latency per hop</b>: a publisher on origin A stamps {@link System#nanoTime()} into
 *       every frame; a hub viewer on A and one on edge B (through the relay) record the age of
 *       each frame at delivery. The hop's cost is B's age minus A's.</li>
 *   <li><b>Viewers on 1 node vs spread over 2 edges</b>: N HTTP-FLV viewers (raw TCP readers)
 *       on A alone, then N/2 on each of two edges pulling from A. Server CPU is the CPU time of
 *       the servers' threads ({@code vireo-*}) over the window, per viewer; a viewer is held when
 *       it received at least 90 % of the source's bytes in the window.</li>
 * </ol>
 *
 * Usage: {@code bench/run relay [--seconds N] [--viewers 50,200] [--kbps N]}; JSON in
 * {@code bench/results/relay-<time>.json}.
 */
public final class RelayBench {

    private static final String SECRET = "relay-bench-secret-0123456789";
    private static final StreamKey KEY = StreamKey.of("live", "bench");

    private RelayBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 20;
        int kbps = 2000;
        List<Integer> viewerCounts = List.of(50, 200);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--kbps" -> kbps = Integer.parseInt(args[++i]);
                case "--viewers" -> viewerCounts = java.util.Arrays.stream(args[++i].split(","))
                        .map(Integer::parseInt).toList();
                default -> {
                    System.err.println("usage: bench/run relay [--seconds N] [--viewers 50,200] [--kbps N]");
                    System.exit(2);
                }
            }
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Path root = Path.of(System.getProperty("vireo.root", "."));
        Path results = root.resolve("bench/results");
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now());
        Path tmp = Files.createDirectories(results.resolve("tmp/relay-" + stamp));

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "relay");
        doc.put("kbps", kbps);
        doc.put("seconds", seconds);
        doc.put("processors", Runtime.getRuntime().availableProcessors());
        doc.put("hopLatency", hopLatency(tmp.resolve("hop"), kbps, seconds));
        List<Object> spread = new ArrayList<>();
        for (int n : viewerCounts) {
            spread.add(viewers(tmp.resolve("single-" + n), n, 0, kbps, seconds));
            spread.add(viewers(tmp.resolve("spread-" + n), n, 2, kbps, seconds));
        }
        doc.put("viewers", spread);
        Path out = results.resolve("relay-" + stamp + ".json");
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc) + "\n");
        System.out.println("results: " + out);
        System.exit(0);
    }

    // ---- part 1: latency per hop ----

    private static Map<String, Object> hopLatency(Path dir, int kbps, int seconds) throws Exception {
        try (Cluster c = new Cluster(dir, 1); Source source = new Source(c.origin, kbps)) {
            Ages local = new Ages("origin");
            Ages remote = new Ages("edge");
            Subscription a = c.origin.hub().subscribe(KEY, local);
            Subscription b = c.edges.getFirst().hub().subscribe(KEY, remote);
            Thread.sleep(3000); // warm-up: the start-up burst's old frames, JIT
            local.reset();
            remote.reset();
            Thread.sleep(seconds * 1000L);
            Histogram l = local.snapshot();
            Histogram r = remote.snapshot();
            a.close();
            b.close();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames", r.getTotalCount());
            m.put("originP50Ms", ms(l.getValueAtPercentile(50)));
            m.put("originP99Ms", ms(l.getValueAtPercentile(99)));
            m.put("edgeP50Ms", ms(r.getValueAtPercentile(50)));
            m.put("edgeP99Ms", ms(r.getValueAtPercentile(99)));
            m.put("edgeMaxMs", ms(r.getMaxValue()));
            m.put("addedP50Ms", ms(r.getValueAtPercentile(50) - l.getValueAtPercentile(50)));
            m.put("addedP99Ms", ms(r.getValueAtPercentile(99) - l.getValueAtPercentile(99)));
            // the edge's ages include the origin's own delivery: an upper bound of the hop alone
            System.out.printf("hop origin -> edge, %d frames at %d kbps: frame age at the origin's viewer p50 %.2f ms"
                            + " p99 %.2f ms; at the edge's viewer p50 %.2f ms p99 %.2f ms max %.2f ms;"
                            + " added p50 %.2f ms p99 %.2f ms%n", r.getTotalCount(), kbps, m.get("originP50Ms"),
                    m.get("originP99Ms"), m.get("edgeP50Ms"), m.get("edgeP99Ms"), m.get("edgeMaxMs"),
                    m.get("addedP50Ms"), m.get("addedP99Ms"));
            return m;
        }
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    /** A hub viewer recording each frame's age (now minus the stamp in its first 8 bytes). */
    private static final class Ages implements Subscriber {
        private final String id;
        private final EventExecutor loop;
        private final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);

        Ages(String id) {
            this.id = id;
            this.loop = new DefaultEventExecutor(new DefaultThreadFactory("bench-" + id, true));
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public void onFrame(MediaFrame f) {
            if (f.isConfig() || f.isData() || f.payload().readableBytes() < 8) {
                return;
            }
            long age = System.nanoTime() - f.payload().getLong(f.payload().readerIndex());
            synchronized (h) {
                h.recordValue(Math.max(0, Math.min(age, h.getHighestTrackableValue())));
            }
        }

        @Override
        public void onEnd(String reason) {
        }

        void reset() {
            synchronized (h) {
                h.reset();
            }
        }

        Histogram snapshot() {
            synchronized (h) {
                return h.copy();
            }
        }
    }

    // ---- part 2: viewers on one node vs two edges ----

    private static Map<String, Object> viewers(Path dir, int n, int edges, int kbps, int seconds) throws Exception {
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-flv", true),
                NioIoHandler.newFactory());
        try (Cluster c = new Cluster(dir, edges); Source source = new Source(c.origin, kbps)) {
            List<VireoServer> serving = edges == 0 ? List.of(c.origin) : c.edges;
            List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                VireoServer node = serving.get(i % serving.size());
                readers.add(new Reader(clients, c.httpPort(node)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (readers.stream().anyMatch(r -> r.bytes.get() == 0) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(2000);
            Map<Long, Long> cpu0 = serverCpu();
            long[] bytes0 = readers.stream().mapToLong(r -> r.bytes.get()).toArray();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long wall = System.nanoTime() - t0;
            long cpu = delta(cpu0, serverCpu());
            long expected = (long) kbps * 1000 / 8 * wall / 1_000_000_000L;
            int held = 0;
            for (int i = 0; i < readers.size(); i++) {
                if (readers.get(i).bytes.get() - bytes0[i] >= expected * 9 / 10) {
                    held++;
                }
            }
            int originViewers = c.origin.hub().find(KEY).map(Stream::viewerCount).orElse(0);
            readers.forEach(Reader::close);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layout", edges == 0 ? "1 node" : edges + " edges + origin");
            m.put("viewers", n);
            m.put("held", held);
            m.put("originSubscribers", originViewers);
            m.put("serverCpuPercent", Math.round(cpu * 1000.0 / wall) / 10.0);
            m.put("serverCpuMicrosPerViewerSecond", Math.round(cpu / 1000.0 / (wall / 1e9) / n * 10) / 10.0);
            System.out.printf("%-18s %4d FLV viewers: %4d held, origin subscribers %d, servers' CPU %5.1f %%"
                            + " (%.1f µs per viewer-second)%n", m.get("layout"), n, held, originViewers,
                    m.get("serverCpuPercent"), m.get("serverCpuMicrosPerViewerSecond"));
            return m;
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** CPU time (ns) of every live server thread ({@code vireo-*}) by thread id. */
    private static Map<Long, Long> serverCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (ThreadInfo t : mx.dumpAllThreads(false, false)) {
            if (t.getThreadName().startsWith("vireo-")) {
                long c = mx.getThreadCpuTime(t.getThreadId());
                if (c >= 0) {
                    out.put(t.getThreadId(), c);
                }
            }
        }
        return out;
    }

    private static long delta(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (var e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    /** An HTTP-FLV viewer that only counts the bytes it reads. */
    private static final class Reader {
        final AtomicLong bytes = new AtomicLong();
        private final Channel channel;

        Reader(EventLoopGroup group, int port) {
            channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    ctx.writeAndFlush(Unpooled.copiedBuffer("GET /live/bench.flv HTTP/1.1\r\nHost: "
                                            + "127.0.0.1\r\n\r\n", StandardCharsets.US_ASCII));
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    bytes.addAndGet(((ByteBuf) msg).readableBytes());
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).connect("127.0.0.1", port).syncUninterruptibly().channel();
        }

        void close() {
            channel.close();
        }
    }

    // ---- the nodes and the source ----

    /** Origin A and {@code edges} edges pulling from it, in this process. */
    private static final class Cluster implements AutoCloseable {
        final VireoServer origin;
        final List<VireoServer> edges = new ArrayList<>();
        final Map<VireoServer, Integer> http = new HashMap<>();

        Cluster(Path dir, int edgeCount) {
            origin = new VireoServer(config(dir.resolve("a")));
            http.put(origin, origin.start().http());
            int relayPort = origin.clusterPort();
            StreamDirectory directory = key -> key.equals(KEY)
                    ? Optional.of(new StreamDirectory.NodeAddress("A", "", "127.0.0.1", relayPort)) : Optional.empty();
            for (int i = 0; i < edgeCount; i++) {
                VireoServer e = new VireoServer(config(dir.resolve("e" + i))).withStreamDirectory(directory, "E" + i, "");
                http.put(e, e.start().http());
                edges.add(e);
            }
        }

        int httpPort(VireoServer node) {
            return http.get(node);
        }

        private static Config config(Path dir) {
            return new Config("127.0.0.1", 0, 0, dir, "warn", Duration.ofSeconds(10), Duration.ofSeconds(10),
                    Duration.ofSeconds(60), 1 << 20, "").withRtcPort(0).withHtml5Eager(false)
                    .withRelay(new Config.RelayConfig(0, SECRET));
        }

        @Override
        public void close() {
            edges.forEach(VireoServer::close);
            origin.close();
        }
    }

    /**
     * A synthetic publisher on the origin's hub: H.264-like video at 30 fps (a keyframe every 2 s,
     * 5x a P-frame's size) and 50 audio frames a second, {@code kbps} in all; every payload starts
     * with the {@link System#nanoTime()} of its sending.
     */
    private static final class Source implements AutoCloseable {
        private final ScheduledExecutorService pacer = new ScheduledThreadPoolExecutor(1,
                new DefaultThreadFactory("bench-publisher", true));
        private final Publication pub;
        private long videoFrames;
        private long audioFrames;

        Source(VireoServer origin, int kbps) throws HubException {
            pub = origin.hub().publish(KEY, "bench-publisher", r -> { });
            pub.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 0x64, 0, 0x1f, (byte) 0xff,
                    (byte) 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 4, 0x68, (byte) 0xee, 0x3c, (byte) 0x80})));
            pub.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(new byte[] {0x12, 0x10})));
            int audioBytes = 200;
            int videoBytesPerSecond = kbps * 1000 / 8 - 50 * audioBytes;
            // per 2 s: 59 P-frames and one keyframe of 5 P-frames' size
            int pBytes = Math.max(64, videoBytesPerSecond * 2 / (59 + 5));
            long start = System.nanoTime();
            pacer.scheduleAtFixedRate(() -> {
                long nowMs = (System.nanoTime() - start) / 1_000_000;
                while (videoFrames * 1000 / 30 <= nowMs) {
                    boolean key = videoFrames % 60 == 0;
                    send(Codec.H264, videoFrames * 1000 / 30, key, key ? 5 * pBytes : pBytes);
                    videoFrames++;
                }
                while (audioFrames * 20 <= nowMs) {
                    send(Codec.AAC, audioFrames * 20, false, audioBytes);
                    audioFrames++;
                }
            }, 0, 5, TimeUnit.MILLISECONDS);
        }

        private void send(Codec codec, long dts, boolean key, int size) {
            ByteBuf b = Unpooled.directBuffer(size).writeLong(System.nanoTime()).writeZero(size - 8);
            pub.send(MediaFrame.media(codec, dts, 0, key, b));
        }

        @Override
        public void close() throws InterruptedException {
            pacer.shutdownNow();
            pacer.awaitTermination(5, TimeUnit.SECONDS);
            pub.close();
        }
    }
}
