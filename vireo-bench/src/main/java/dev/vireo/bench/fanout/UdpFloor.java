package dev.vireo.bench.fanout;

import dev.vireo.bench.BenchLog;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.bench.source.LoopTimeline;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.source.SourceFile;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.webrtc.rtp.H264Packetizer;
import dev.vireo.webrtc.rtp.PacketizedFrame;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The kernel's floor under WHEP fan-out on this machine: the same UDP datagrams Vireo sends its
 * viewers (the bench clip, packetized by Vireo's own {@link H264Packetizer}, every packet grown by
 * the RTP header with the two extensions Vireo negotiates and the 16-byte SRTP GCM tag), sent the
 * same way (one socket per event loop, UDP GSO runs of one size but the last, sendmmsg batches
 * flushed every 64 KB) to the same kind of receivers (loopback sockets with UDP_GRO), but with no
 * RTP, SRTP or session work at all: one shared buffer per packet run, retained per viewer. The
 * CPU time of the sending threads per viewer and second is what any server in user space pays at
 * least on this kernel before doing anything of its own; on loopback it includes the receive
 * half of the stack, as Vireo's does in the fan-out bench.
 *
 * <p>{@code bench/run floor [--viewers 200,400,800] [--seconds 20] [--bitrate 600]}.
 */
final class UdpFloor {

    /** RTP fixed header 12 + one-byte extension header 4 + abs-send-time (1+3) and transport-cc (1+2), padded. */
    static final int RTP_HEADER = 24;
    static final int SRTP_TAG = 16;
    private static final int FLUSH_BYTES = 64 * 1024;
    private static final int SENDER_LOOPS = 2;

    /** One media tag's datagrams: sizes in send order, already grown by header and tag. */
    record Datagrams(long timestampMs, int[] sizes) {
    }

    /** The floor at one viewer count: the sending threads' CPU per viewer and second. */
    record Step(int viewers, double microsPerViewerSecond) {
        double viewersPerCore() {
            return 1e6 / microsPerViewerSecond;
        }
    }

    /** What one floor run measured, for the table and the JSON. */
    record Result(int bitrateKbps, double datagramsPerViewerSecond, List<Step> steps) {
        double meanMicros() {
            return steps.stream().mapToDouble(Step::microsPerViewerSecond).average().orElse(Double.NaN);
        }

        /** The JSON written next to the results, with Jackson as the fan-out report is. */
        String json() throws java.io.IOException {
            List<java.util.Map<String, Object>> rows = new ArrayList<>();
            for (Step st : steps) {
                rows.add(java.util.Map.of("viewers", st.viewers(),
                        "usPerViewerSecond", Math.round(st.microsPerViewerSecond() * 10) / 10.0,
                        "viewersPerCore", Math.round(st.viewersPerCore())));
            }
            var doc = new java.util.LinkedHashMap<String, Object>();
            doc.put("bench", "udp-floor");
            doc.put("time", Instant.now().toString());
            doc.put("bitrateKbps", bitrateKbps);
            doc.put("datagramsPerViewerSecond", Math.round(datagramsPerViewerSecond));
            doc.put("steps", rows);
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(doc) + "\n";
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> steps = List.of(200, 400, 800);
        int seconds = 20;
        int bitrate = 600;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--viewers" -> steps = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--bitrate" -> bitrate = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (bench/run floor [--viewers 200,400,800] [--seconds 20] [--bitrate 600])");
            }
        }
        Path results = Path.of(System.getProperty("vireo.root", "."), "bench", "results");
        Path tmp = results.resolve("tmp"); // the fan-out bench's clip cache
        Files.createDirectories(tmp);
        SourceFile source = new SourceFile(bitrate, 20);
        SourceClip clip = source.loadWithOpus(tmp, "ffmpeg");
        BenchLog.log("floor: %s", source.fileName());
        Result result = run(clip, bitrate, steps, seconds);
        Path out = results.resolve("udp-floor-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(java.time.LocalDateTime.now()) + ".json");
        Files.writeString(out, result.json());
        BenchLog.log("JSON: %s", out);
    }

    /** Measures the floor of {@code clip} at each viewer count, {@code seconds} each, logging as it goes. */
    static Result run(SourceClip clip, int bitrateKbps, List<Integer> steps, int seconds) throws Exception {
        List<Datagrams> schedule = datagrams(clip);
        long packets = schedule.stream().mapToLong(d -> d.sizes().length).sum();
        double perViewerSecond = packets / (clip.timeline().loopMs() / 1000.0);
        BenchLog.log("floor %dk: %.0f datagrams per viewer and second", bitrateKbps, perViewerSecond);
        MultiThreadIoEventLoopGroup senders = new MultiThreadIoEventLoopGroup(SENDER_LOOPS, EpollIoHandler.newFactory());
        MultiThreadIoEventLoopGroup receivers = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        List<Step> out = new ArrayList<>();
        try {
            for (int viewers : steps) {
                double us = measure(senders, receivers, schedule, clip.timeline(), viewers, seconds);
                Step step = new Step(viewers, us);
                out.add(step);
                BenchLog.log("floor %dk: %d viewers: sender CPU %.0f us/viewer/s -> %.0f viewers/core at the floor",
                        bitrateKbps, viewers, us, step.viewersPerCore());
            }
        } finally {
            senders.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            receivers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        return new Result(bitrateKbps, perViewerSecond, List.copyOf(out));
    }

    /** Every media tag of the clip as the datagrams Vireo would send a viewer for it. */
    static List<Datagrams> datagrams(SourceClip clip) {
        H264Packetizer packetizer = new H264Packetizer();
        int[] parameterSets = new int[0];
        for (SourceClip.Tag t : clip.headers()) {
            if (t.type() == FlvTag.VIDEO) {
                // Vireo sends the SPS and PPS, packetized as one access unit, in front of every keyframe
                var record = dev.vireo.media.avc.AvcDecoderConfigurationRecord.parse(
                        Unpooled.wrappedBuffer(t.body()).skipBytes(WallclockSei.AVC_HEADER_SIZE));
                ByteBuf au = Unpooled.buffer();
                record.sps().forEach(sps -> au.writeInt(sps.length).writeBytes(sps));
                record.pps().forEach(pps -> au.writeInt(pps.length).writeBytes(pps));
                parameterSets = sizes(packetizer, au);
            }
        }
        List<Datagrams> out = new ArrayList<>();
        for (SourceClip.Tag t : clip.media()) {
            if (t.codedVideo()) {
                ByteBuf stamped = WallclockSei.stamp(ByteBufAllocator.DEFAULT, t.body(), clip.nalLengthSize(), 0);
                int[] frame = sizes(packetizer, stamped.skipBytes(WallclockSei.AVC_HEADER_SIZE));
                boolean keyframe = (t.body()[0] & 0xF0) >> 4 == 1;
                int[] sizes = new int[(keyframe ? parameterSets.length : 0) + frame.length];
                if (keyframe) {
                    System.arraycopy(parameterSets, 0, sizes, 0, parameterSets.length);
                }
                System.arraycopy(frame, 0, sizes, sizes.length - frame.length, frame.length);
                out.add(new Datagrams(t.timestamp(), sizes));
            } else if (t.type() == FlvTag.AUDIO) {
                // enhanced RTMP audio: 1 byte of format/packet type and the FourCC before the Opus packet
                out.add(new Datagrams(t.timestamp(), new int[] {t.body().length - 5 + RTP_HEADER + SRTP_TAG}));
            }
        }
        return out;
    }

    /** The protected sizes of the packets of one length-prefixed access unit; releases it. */
    private static int[] sizes(H264Packetizer packetizer, ByteBuf accessUnit) {
        PacketizedFrame frame = packetizer.packetize(ByteBufAllocator.DEFAULT, accessUnit, 0);
        try {
            int[] sizes = new int[frame.count()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = frame.length(i) + RTP_HEADER + SRTP_TAG;
            }
            return sizes;
        } finally {
            frame.release();
            accessUnit.release();
        }
    }

    /** Runs {@code viewers} receivers for {@code seconds} and returns the senders' CPU µs per viewer and second. */
    private static double measure(MultiThreadIoEventLoopGroup senders, MultiThreadIoEventLoopGroup receivers,
                                  List<Datagrams> schedule, LoopTimeline timeline, int viewers, int seconds)
            throws Exception {
        LongAdder received = new LongAdder();
        List<Channel> sinks = new ArrayList<>();
        for (int i = 0; i < viewers; i++) {
            sinks.add(new Bootstrap().group(receivers).channel(EpollDatagramChannel.class)
                    .option(EpollChannelOption.UDP_GRO, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 0)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_536))
                    .option(ChannelOption.SO_RCVBUF, 256 << 10)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                            received.increment();
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel());
        }
        List<Sender> running = new ArrayList<>();
        for (int l = 0; l < SENDER_LOOPS; l++) {
            List<InetSocketAddress> mine = new ArrayList<>();
            for (int i = l; i < viewers; i += SENDER_LOOPS) {
                mine.add((InetSocketAddress) sinks.get(i).localAddress());
            }
            running.add(Sender.start(senders.next(), schedule, timeline, mine));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // warm up (JIT, socket buffers), then measure the sending threads' CPU over the window
        long warmup = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        // (a benchmark's fixed window, not synchronisation: nothing waits on a condition here)
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(warmup - System.nanoTime()));
        long cpu0 = 0;
        for (Sender s : running) {
            cpu0 += threads.getThreadCpuTime(s.threadId.get());
        }
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long cpu1 = 0;
        for (Sender s : running) {
            cpu1 += threads.getThreadCpuTime(s.threadId.get());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        for (Sender s : running) {
            s.stop();
        }
        for (Channel c : sinks) {
            c.close().sync();
        }
        if (received.sum() == 0) {
            throw new IllegalStateException("the receivers got nothing");
        }
        return (cpu1 - cpu0) / 1e3 / wall / viewers;
    }

    /** One event loop's socket sending the schedule in real time to its viewers. */
    private static final class Sender {
        private final EventLoop loop;
        private final List<Datagrams> schedule;
        private final LoopTimeline timeline;
        private final List<InetSocketAddress> viewers;
        private final CompletableFuture<Long> threadId = new CompletableFuture<>();
        private Channel channel;
        private volatile boolean stopped;
        private long start;
        private long loopIndex;
        private int next;
        private int pending;

        private Sender(EventLoop loop, List<Datagrams> schedule, LoopTimeline timeline, List<InetSocketAddress> viewers) {
            this.loop = loop;
            this.schedule = schedule;
            this.timeline = timeline;
            this.viewers = viewers;
        }

        static Sender start(EventLoop loop, List<Datagrams> schedule, LoopTimeline timeline,
                            List<InetSocketAddress> viewers) throws Exception {
            Sender s = new Sender(loop, schedule, timeline, viewers);
            s.channel = new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                    .bind("127.0.0.1", 0).sync().channel();
            loop.execute(() -> {
                s.threadId.complete(Thread.currentThread().threadId());
                s.start = System.nanoTime();
                s.tick();
            });
            s.threadId.get(5, TimeUnit.SECONDS);
            return s;
        }

        void stop() throws Exception {
            stopped = true;
            channel.close().sync();
        }

        private void tick() {
            if (stopped) {
                return;
            }
            long now = System.nanoTime();
            while (true) {
                Datagrams d = schedule.get(next);
                long due = timeline.dueNanos(start, loopIndex, d.timestampMs());
                if (due > now) {
                    channel.flush();
                    pending = 0;
                    loop.schedule(this::tick, due - now, TimeUnit.NANOSECONDS);
                    return;
                }
                send(d.sizes());
                if (++next == schedule.size()) {
                    next = 0;
                    loopIndex++;
                }
            }
        }

        /** Each viewer gets the runs of {@code sizes} (one size, then at most one shorter) as GSO sends. */
        private void send(int[] sizes) {
            for (int i = 0; i < sizes.length; ) {
                int size = sizes[i];
                int end = i + 1;
                while (end < sizes.length && sizes[end] == size && end - i < 64) {
                    end++;
                }
                if (end < sizes.length && sizes[end] < size && end - i < 64) {
                    end++;
                }
                int bytes = 0;
                for (int k = i; k < end; k++) {
                    bytes += sizes[k];
                }
                ByteBuf run = channel.alloc().directBuffer(bytes).writerIndex(bytes);
                for (InetSocketAddress to : viewers) {
                    ByteBuf mine = run.retainedDuplicate();
                    channel.write(end - i == 1 ? new DatagramPacket(mine, to) : new SegmentedDatagramPacket(mine, size, to),
                            channel.voidPromise());
                    pending += bytes;
                    if (pending >= FLUSH_BYTES) {
                        channel.flush();
                        pending = 0;
                    }
                }
                run.release();
                i = end;
            }
        }
    }
}
