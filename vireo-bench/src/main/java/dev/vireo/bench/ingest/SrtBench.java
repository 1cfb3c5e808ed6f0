package dev.vireo.bench.ingest;

import dev.vireo.bench.BenchLog;
import dev.vireo.bench.FreePort;
import dev.vireo.bench.measure.LatencyRecorder;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.probe.ProcFs;
import dev.vireo.bench.source.ClipPublisher;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.source.SourceFile;
import dev.vireo.bench.source.SrtClipSink;
import dev.vireo.bench.viewers.FlvHttpViewer;
import dev.vireo.bench.viewers.SrtTsViewer;
import dev.vireo.bench.viewers.WhepViewer;
import dev.vireo.media.Codec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * SRT ingest against {@code srt-live-transmit} (Haivision's reference relay, Debian
 * {@code srt-tools}) in the same run ({@code bench/run srt}): the stamped clip of the fan-out bench
 * (H.264 with a wallclock SEI in every frame, {@link WallclockSei}) goes out as MPEG-TS over a
 * libsrt caller ({@link SrtClipSink}), N streams at once.
 * <ul>
 *   <li><b>Ingest CPU per Mbps</b>: Vireo receiving the N streams (libsrt, TS demux into hub
 *       frames, no viewer) against N {@code srt-live-transmit} processes receiving the same
 *       streams and writing them to /dev/null; CPU of the process trees over a window, divided by
 *       the TS bitrate sent.</li>
 *   <li><b>Latency</b> (publisher send time to the viewer's arrival of the stamped frame):
 *       SRT → Vireo → SRT pull ({@code m=request}) against SRT → {@code srt-live-transmit} → SRT
 *       (both two SRT hops, the same TS), and SRT → Vireo → HTTP-FLV and SRT → Vireo → WHEP (one SRT
 *       hop; the WHEP stream has Opus audio so no transcoding is involved). An SRT hop holds each
 *       packet for the configured latency (TSBPD), so "added" subtracts hops × latency.</li>
 * </ul>
 * Results: stdout and {@code bench/results/srt-<time>.json}. Usage:
 * {@code bench/run srt [--streams 4] [--kbps 2000] [--seconds 20] [--latency 120] [--no-audio]} (video only:
 * then the WHEP viewer and a second FLV viewer watch a stream published just before the window).
 */
public final class SrtBench {

    private SrtBench() {
    }

    public static void main(String[] args) throws Exception {
        int streams = 4;
        int kbps = 2000;
        int seconds = 20;
        int latency = 120;
        boolean aacAudio = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--streams" -> streams = Integer.parseInt(args[++i]);
                case "--kbps" -> kbps = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--latency" -> latency = Integer.parseInt(args[++i]);
                case "--no-audio" -> aacAudio = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (bench/run srt [--streams 4] [--kbps 2000] [--seconds 20] [--latency 120])");
            }
        }
        Path root = Path.of(System.getProperty("vireo.root", ".")).toAbsolutePath().normalize();
        Path results = root.resolve("bench/results");
        Path tmp = Files.createDirectories(results.resolve("tmp"));
        Path work = Files.createDirectories(tmp.resolve("srt-" + System.currentTimeMillis()));
        SourceFile source = new SourceFile(kbps, 30);
        SourceClip aac = SourceClip.load(source.ensure(tmp, "ffmpeg"));
        Codec audio = aacAudio ? Codec.AAC : null;
        SourceClip opus = source.loadWithOpus(tmp, "ffmpeg");
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib") + "/*";
        String slt = "/usr/bin/srt-live-transmit";

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "srt");
        doc.put("streams", streams);
        doc.put("clipKbps", Math.round(aac.kbps()));
        doc.put("windowSeconds", seconds);
        doc.put("srtLatencyMs", latency);
        doc.put("load", loadAverage());
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup viewers = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Bootstrap flvBootstrap = new Bootstrap().group(viewers).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            // ---- Vireo ----
            int srtPort = FreePort.pickUdp();
            VireoProcess vireo = VireoProcess.start(cp, List.of("-XX:+UseZGC", "-Xms64m", "-XX:SoftMaxHeapSize=512m"),
                    List.of("--srt-port", Integer.toString(srtPort), "--srt-latency", latency + "ms"), work);
            open.add(vireo);
            InetSocketAddress vireoSrt = new InetSocketAddress(FreePort.LOOPBACK, srtPort);
            for (int s = 0; s < streams; s++) {
                String id = "#!::r=live/s" + s + ",m=publish";
                int lat = latency;
                open.add(retry(() -> ClipPublisher.startSrt(loop, vireoSrt, id, lat, aac, audio, new Measurement())));
            }
            TimeUnit.SECONDS.sleep(5);
            Map<String, Object> vireoIngest = cpuWindow(List.of(vireo.pid()), seconds);
            doc.put("vireoIngest", vireoIngest);
            BenchLog.log("srt: Vireo ingest of %d streams: %s", streams, vireoIngest);

            Measurement flv = new Measurement();
            Measurement pull = new Measurement();
            Measurement whep = new Measurement();
            FlvHttpViewer flvViewer = FlvHttpViewer.open(flvBootstrap, vireo.flvUrl("live", "s0").orElseThrow(), flv,
                    aac.nalLengthSize());
            open.add(flvViewer::close);
            int lat = latency;
            SrtTsViewer pullViewer = retry(() -> SrtTsViewer.open(vireoSrt, "#!::r=live/s0,m=request", lat, pull));
            open.add(pullViewer);
            // WebRTC carries Opus: with AAC the WHEP viewer watches an Opus copy of the stream (no transcoding)
            String whepStream = audio == Codec.AAC ? "o0" : "late";
            Measurement lateFlv = new Measurement();
            if (audio == Codec.AAC) {
                open.add(retry(() -> ClipPublisher.startSrt(loop, vireoSrt, "#!::r=live/o0,m=publish", lat, opus,
                        Codec.OPUS, new Measurement())));
            } else {
                open.add(retry(() -> ClipPublisher.startSrt(loop, vireoSrt, "#!::r=live/late,m=publish", lat, aac,
                        null, new Measurement())));
                TimeUnit.SECONDS.sleep(2);
                FlvHttpViewer lateViewer = FlvHttpViewer.open(flvBootstrap, vireo.flvUrl("live", "late").orElseThrow(),
                        lateFlv, aac.nalLengthSize());
                open.add(lateViewer::close);
            }
            TimeUnit.SECONDS.sleep(3);
            WhepViewer.Shared shared = new WhepViewer.Shared(viewers, 1, 1, false);
            open.add(shared);
            WhepViewer whepViewer = WhepViewer.open(shared, vireo.whepUrl("live", whepStream).orElseThrow(), whep);
            open.add(whepViewer::close);
            whepViewer.started().get(30, TimeUnit.SECONDS);
            TimeUnit.SECONDS.sleep(3);
            flv.open(seconds * 1000L);
            pull.open(seconds * 1000L);
            whep.open(seconds * 1000L);
            lateFlv.open(seconds * 1000L);
            TimeUnit.SECONDS.sleep(seconds);
            doc.put("vireoSrtPublishers", srtPublishers(vireo));
            LatencyRecorder.LatencySummary vireoFlv = flv.latency().snapshot();
            LatencyRecorder.LatencySummary vireoPull = pull.latency().snapshot();
            LatencyRecorder.LatencySummary vireoWhep = whep.latency().snapshot();
            LatencyRecorder.LatencySummary vireoLateFlv = lateFlv.latency().snapshot();
            BenchLog.log("srt: Vireo SRT->FLV %s; SRT->SRT pull %s; SRT->WHEP %s; FLV of a stream published 5 s"
                    + " before the window (--no-audio) %s", vireoFlv, vireoPull, vireoWhep, vireoLateFlv);
            closeAll(open);

            // ---- srt-live-transmit ----
            List<Process> relays = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                int port = FreePort.pickUdp();
                Process p = new ProcessBuilder(slt, "-q", "srt://:" + port + "?mode=listener&latency=" + latency, "file://con")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(work.resolve("slt-ingest-" + s + ".log").toFile()).start();
                relays.add(p);
                pids.add(p.pid());
                open.add(p::destroy);
                InetSocketAddress a = new InetSocketAddress(FreePort.LOOPBACK, port);
                open.add(retry(() -> ClipPublisher.startSrt(loop, a, "live/s", lat, aac, audio, new Measurement())));
            }
            TimeUnit.SECONDS.sleep(5);
            Map<String, Object> sltIngest = cpuWindow(pids, seconds);
            doc.put("sltIngest", sltIngest);
            BenchLog.log("srt: srt-live-transmit ingest of %d streams: %s", streams, sltIngest);
            closeAll(open);

            int in = FreePort.pickUdp();
            int out = FreePort.pickUdp();
            Process relay = new ProcessBuilder(slt, "-q", "srt://:" + in + "?mode=listener&latency=" + latency,
                    "srt://:" + out + "?mode=listener&latency=" + latency)
                    .redirectErrorStream(true).redirectOutput(work.resolve("slt-relay.log").toFile()).start();
            open.add(relay::destroy);
            Measurement sltPull = new Measurement();
            InetSocketAddress inAddr = new InetSocketAddress(FreePort.LOOPBACK, in);
            InetSocketAddress outAddr = new InetSocketAddress(FreePort.LOOPBACK, out);
            open.add(retry(() -> ClipPublisher.startSrt(loop, inAddr, "live/s0", lat, aac, audio, new Measurement())));
            SrtTsViewer sltViewer = retry(() -> SrtTsViewer.open(outAddr, "live/s0", lat, sltPull));
            open.add(sltViewer);
            TimeUnit.SECONDS.sleep(3);
            sltPull.open(seconds * 1000L);
            TimeUnit.SECONDS.sleep(seconds);
            LatencyRecorder.LatencySummary relayPull = sltPull.latency().snapshot();
            BenchLog.log("srt: srt-live-transmit SRT->SRT relay %s", relayPull);
            closeAll(open);

            Map<String, Object> lat2 = new LinkedHashMap<>();
            lat2.put("vireoSrtToFlv", latencyDoc(vireoFlv, 1, latency));
            lat2.put("vireoSrtToWhep", latencyDoc(vireoWhep, 1, latency));
            if (audio == null) {
                lat2.put("vireoSrtToFlvYoungStream", latencyDoc(vireoLateFlv, 1, latency));
            }
            lat2.put("vireoSrtToSrtPull", latencyDoc(vireoPull, 2, latency));
            lat2.put("sltSrtToSrtRelay", latencyDoc(relayPull, 2, latency));
            doc.put("latency", lat2);
            double vireoPerMbps = (double) vireoIngest.get("cpuPercentPerMbps");
            double sltPerMbps = (double) sltIngest.get("cpuPercentPerMbps");
            doc.put("ingestCpuPerMbpsRatioVireoToSlt", vireoPerMbps / sltPerMbps);
            doc.put("pullP50RatioVireoToSlt", vireoPull.p50Ms() / relayPull.p50Ms());
            BenchLog.log("srt: ingest CPU per Mbps: Vireo %.3f %%, srt-live-transmit %.3f %% (x%.2f)", vireoPerMbps,
                    sltPerMbps, vireoPerMbps / sltPerMbps);
        } finally {
            closeAll(open);
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            viewers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        Path outFile = results.resolve("srt-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now())
                + ".json");
        Files.writeString(outFile, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc) + "\n");
        BenchLog.log("JSON: %s", outFile);
    }

    /** CPU of the process trees over {@code seconds}, per Mbps of TS the publishers sent meanwhile. */
    private static Map<String, Object> cpuWindow(List<Long> pids, int seconds) throws InterruptedException {
        List<ProcFs.Usage> before = new ArrayList<>();
        pids.forEach(p -> before.add(ProcFs.treeUsage(p)));
        long sent0 = SrtClipSink.SENT.sum();
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long nanos = System.nanoTime() - t0;
        double mbps = (SrtClipSink.SENT.sum() - sent0) * 8.0 / (nanos / 1e9) / 1e6;
        double cpu = 0;
        long rssKb = 0;
        for (int i = 0; i < pids.size(); i++) {
            ProcFs.Usage after = ProcFs.treeUsage(pids.get(i));
            cpu += ProcFs.cpuPercent(before.get(i), after, nanos);
            rssKb += after.rssKb();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tsMbps", mbps);
        m.put("cpuPercent", cpu);
        m.put("cpuPercentPerMbps", cpu / mbps);
        m.put("rssMb", rssKb / 1024.0);
        return m;
    }

    /** Each stream's SRT publisher as the server's API shows it (libsrt's RTT and receive buffer). */
    private static Map<String, Object> srtPublishers(VireoProcess vireo) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Admin API key:\\s+(\\S+)")
                    .matcher(Files.readString(vireo.log()));
            if (!m.find()) {
                return out;
            }
            String base = vireo.metricsUrl().orElseThrow().toString().replace("/metrics", "");
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create(base + "/api/v1/streams"))
                            .header("Authorization", "Bearer " + m.group(1)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            for (com.fasterxml.jackson.databind.JsonNode st : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(r.body()).path("streams")) {
                com.fasterxml.jackson.databind.JsonNode p = st.path("srt").path("publisher");
                if (!p.isMissingNode()) {
                    out.put(st.path("stream").asText(), Map.of("rttMs", p.path("rttMs").asDouble(),
                            "receiveBufferMs", p.path("receiveBufferMs").asLong(),
                            "lostPackets", p.path("lostPackets").asLong(),
                            "droppedPackets", p.path("droppedPackets").asLong()));
                }
            }
        } catch (Exception e) {
            out.put("error", e.toString());
        }
        BenchLog.log("srt: SRT publishers per the server's API: %s", out);
        return out;
    }

    private static Map<String, Object> latencyDoc(LatencyRecorder.LatencySummary s, int hops, int latencyMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("srtHops", hops);
        m.put("endToEndMs", s);
        m.put("addedP50Ms", s.p50Ms() - hops * latencyMs);
        m.put("addedP99Ms", s.p99Ms() - hops * latencyMs);
        return m;
    }

    private static <T> T retry(Callable<T> c) throws Exception {
        Exception last = null;
        for (int i = 0; i < 20; i++) {
            try {
                return c.call();
            } catch (Exception e) {
                last = e;
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }
        throw last;
    }

    private static void closeAll(List<AutoCloseable> open) {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                BenchLog.log("srt: close: %s", e);
            }
        }
        open.clear();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "?";
        }
    }
}
