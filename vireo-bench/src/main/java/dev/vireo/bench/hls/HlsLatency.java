package dev.vireo.bench.hls;

import dev.vireo.bench.FreePort;
import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.LatencyRecorder;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.source.ClipPublisher;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.source.SourceFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LL-HLS latency of Vireo as an LL-HLS client at the live edge sees it: the stamped clip of the
 * fan-out bench is published over RTMP, one client follows {@code llhls.m3u8} the way hls.js
 * does in low-latency mode (each preload-hinted part requested before it exists, answered when it
 * is complete), and for each part that arrives it records, from the wallclock stamps in the video
 * (WallclockSei), how old its newest and its oldest frame are. The oldest frame's age is the part
 * accumulation (up to one part target) plus the server's own delay; a player adds its hold-back
 * (PART-HOLD-BACK, three parts) and decoding. Results: stdout and
 * {@code bench/results/hls-latency-<time>.json}. Usage: {@code bench/run hls [--seconds N] [--kbps N]}.
 */
public final class HlsLatency {

    private static final Pattern HINT = Pattern.compile("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"(p(\\d+)_(\\d+)\\.m4s\\?[^\"]+)\"");
    private static final Pattern PART_HOLD_BACK = Pattern.compile("PART-HOLD-BACK=([0-9.]+)");
    private static final byte[] UUID = "VireoBenchClock1".getBytes(StandardCharsets.US_ASCII);

    private HlsLatency() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 60;
        int kbps = 600;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--kbps" -> kbps = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench/run hls [--seconds N] [--kbps N]");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("vireo.root", "."));
        Path results = root.resolve("bench/results");
        Path tmp = Files.createDirectories(results.resolve("tmp"));
        SourceFile source = new SourceFile(kbps, 30);
        SourceClip clip = SourceClip.load(source.ensure(tmp, "ffmpeg"));
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib") + "/*";
        Path work = Files.createTempDirectory(tmp, "hls-");
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        LatencyRecorder newest = new LatencyRecorder();
        LatencyRecorder oldest = new LatencyRecorder();
        double holdBack;
        long parts = 0;
        long misses = 0;
        try (VireoProcess server = VireoProcess.start(cp, List.of("-XX:+UseZGC", "-Xms64m"), List.of(), work);
             ClipPublisher publisher = ClipPublisher.start(loop, server.rtmpUrl("live", "hls"), clip, new Measurement(), 1)) {
            String base = "http://" + FreePort.LOOPBACK + ":" + server.flvUrl("live", "hls").orElseThrow().getPort()
                    + "/live/hls/";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String playlist = get(http, base + "llhls.m3u8");
            Matcher hb = PART_HOLD_BACK.matcher(playlist);
            holdBack = hb.find() ? Double.parseDouble(hb.group(1)) : Double.NaN;
            long warmUpEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < end) {
                Matcher hint = HINT.matcher(playlist);
                if (!hint.find()) {
                    throw new IllegalStateException("no preload hint in\n" + playlist);
                }
                // the hinted part: held by the server until complete, as a low-latency client asks for it
                HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(URI.create(base + hint.group(1)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
                long arrived = BenchClock.nowNanos();
                if (part.statusCode() == 200) {
                    long[] stamps = stamps(part.body());
                    if (stamps != null && System.nanoTime() > warmUpEnd) {
                        newest.recordNanos(arrived - stamps[1]);
                        oldest.recordNanos(arrived - stamps[0]);
                        parts++;
                    }
                } else {
                    misses++;
                }
                // then the playlist that lists it (a blocking reload for that part: answered at once)
                playlist = get(http, base + "llhls.m3u8?_HLS_msn=" + hint.group(2) + "&_HLS_part=" + hint.group(3));
            }
        } finally {
            loop.shutdownGracefully();
        }
        LatencyRecorder.LatencySummary n = newest.snapshot();
        LatencyRecorder.LatencySummary o = oldest.snapshot();
        System.out.printf("LL-HLS parts received at the live edge: %d (%d not found), %d kbps clip%n", parts, misses, kbps);
        System.out.printf("  newest frame of a part, age at arrival: p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n",
                n.p50Ms(), n.p90Ms(), n.p99Ms(), n.maxMs());
        System.out.printf("  oldest frame of a part, age at arrival: p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n",
                o.p50Ms(), o.p90Ms(), o.p99Ms(), o.maxMs());
        System.out.printf("  + PART-HOLD-BACK %.3f s of a player at its target: about %.2f s glass to glass%n", holdBack,
                o.p50Ms() / 1000 + holdBack);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "hls-latency");
        doc.put("kbps", kbps);
        doc.put("seconds", seconds);
        doc.put("parts", parts);
        doc.put("notFound", misses);
        doc.put("partHoldBackSeconds", holdBack);
        doc.put("newestFrameAgeMs", n);
        doc.put("oldestFrameAgeMs", o);
        Path out = results.resolve("hls-latency-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(LocalDateTime.now()) + ".json");
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc) + "\n");
        System.out.println("  results: " + out);
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The first and last wallclock stamps (SEI) in a part's bytes, or null when it has none. */
    static long[] stamps(byte[] fragment) {
        ByteBuf b = Unpooled.wrappedBuffer(fragment);
        long first = -1;
        long last = -1;
        for (int i = 3; i + UUID.length <= fragment.length; i++) {
            if (fragment[i] != UUID[0] || !matches(fragment, i)) {
                continue;
            }
            long stamp = WallclockSei.readNal(b, i - 3, WallclockSei.NAL_SIZE);
            if (stamp > 0) {
                first = first < 0 ? stamp : Math.min(first, stamp);
                last = Math.max(last, stamp);
            }
        }
        return first < 0 ? null : new long[] {first, last};
    }

    private static boolean matches(byte[] b, int at) {
        for (int k = 0; k < UUID.length; k++) {
            if (b[at + k] != UUID[k]) {
                return false;
            }
        }
        return true;
    }
}
