package dev.vireo.bench.ingest;

import dev.vireo.bench.BenchLog;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.peers.VireoProcess;
import dev.vireo.bench.probe.ProcFs;
import dev.vireo.bench.probe.ServerDelayProbe;
import dev.vireo.bench.viewers.WhepViewer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * WHIP ingest → WHEP delivery on loopback ({@code bench/run whip}): Vireo as a process, N aiortc
 * WHIP publishers (the tests' {@code aiortc_publish.py}: generated 640x360 H.264 + Opus), then M
 * bench WHEP viewers per stream ({@link WhepViewer}). Measured by the server itself:
 * <ul>
 *   <li>{@code vireo_whip_receive_delay}: a frame's first RTP packet to the frame in the hub
 *       (reorder buffer, reassembly);</li>
 *   <li>{@code vireo_webrtc_egress_delay}: for a WHIP stream it counts from the same first packet,
 *       so it is the server-added latency WHIP in → WHEP out, per frame and viewer;</li>
 *   <li>the server process's CPU over a window with the publishers only (ingest per publisher),
 *       then with the viewers.</li>
 * </ul>
 * The network and the browsers' own buffers are not in these numbers (no browser here). Results:
 * {@code bench/results/whip-*.json}.
 */
public final class WhipBench {

    private WhipBench() {
    }

    /** The first up, non-loopback IPv4 address of this machine (127.0.0.1 when there is none). */
    private static String hostAddress() throws java.net.SocketException {
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (java.net.InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        return "127.0.0.1";
    }

    public static void main(String[] args) throws Exception {
        int publishers = 2;
        int viewers = 20;
        int seconds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--publishers" -> publishers = Integer.parseInt(args[++i]);
                case "--viewers" -> viewers = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (bench/run whip [--publishers 2] [--viewers 20] [--seconds 20])");
            }
        }
        Path root = Path.of(System.getProperty("vireo.root", ".")).toAbsolutePath().normalize();
        Path results = root.resolve("bench").resolve("results");
        Path work = Files.createDirectories(results.resolve("tmp")).resolve("whip-" + System.currentTimeMillis());
        Files.createDirectories(work);
        Path script = root.resolve("vireo-server/src/test/resources/whip/aiortc_publish.py");
        String cp = root.resolve("vireo-server/target/vireo-server-0.1.0-SNAPSHOT.jar") + ":"
                + root.resolve("vireo-server/target/lib/*");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "whip-to-whep");
        doc.put("publishers", publishers);
        doc.put("viewersPerStream", viewers);
        doc.put("windowSeconds", seconds);
        doc.put("publisher", "aiortc 1.4 (python3-aiortc), 640x360 30 fps H.264 + Opus, generated");
        List<Process> clients = new ArrayList<>();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        try (VireoProcess server = VireoProcess.start(cp, List.of("-XX:+UseZGC", "-Xms64m", "-XX:SoftMaxHeapSize=512m"),
                // aiortc gathers no loopback candidates: advertise a host address as well
                List.of("--rtc-candidates", "127.0.0.1," + hostAddress()), work);
             WhepViewer.Shared whep = new WhepViewer.Shared(loops, 4, 1, false)) {
            URI metrics = server.metricsUrl().orElseThrow();
            String base = metrics.toString().replace("/metrics", "");
            for (int p = 0; p < publishers; p++) {
                clients.add(new ProcessBuilder("/usr/bin/python3", script.toString(), base + "/live/whip" + p + "/whip",
                        "--seconds", String.valueOf(3 * seconds + 30)).redirectErrorStream(true)
                        .redirectOutput(work.resolve("aiortc-" + p + ".log").toFile()).start());
            }
            BenchLog.log("whip: %d aiortc publisher(s) starting", publishers);
            TimeUnit.SECONDS.sleep(8); // ICE, DTLS, the encoders' first keyframes: settle, then measure
            ServerDelayProbe receive = new ServerDelayProbe(metrics, "vireo_whip_receive_delay_seconds");
            ServerDelayProbe egress = new ServerDelayProbe(metrics, "vireo_webrtc_egress_delay_seconds");

            Map<Double, Long> r0 = receive.scrape();
            ProcFs.Usage u0 = ProcFs.treeUsage(server.pid());
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            double ingestCpu = ProcFs.cpuPercent(u0, ProcFs.treeUsage(server.pid()), System.nanoTime() - t0);
            ServerDelayProbe.Summary ingest = ServerDelayProbe.between(r0, receive.scrape());
            doc.put("ingestCpuPercent", ingestCpu);
            doc.put("ingestCpuPercentPerPublisher", ingestCpu / publishers);
            doc.put("receiveDelay", ingest);
            BenchLog.log("whip: ingest only: server CPU %.1f %% (%.1f %% per publisher), receive delay %s",
                    ingestCpu, ingestCpu / publishers, ingest);

            Measurement measurement = new Measurement();
            List<WhepViewer> open = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                for (int v = 0; v < viewers; v++) {
                    open.add(WhepViewer.open(whep, URI.create(base + "/live/whip" + p + "/whep"), measurement));
                }
            }
            for (WhepViewer v : open) {
                v.started().get(30, TimeUnit.SECONDS);
            }
            TimeUnit.SECONDS.sleep(3);
            Map<Double, Long> e0 = egress.scrape();
            r0 = receive.scrape();
            u0 = ProcFs.treeUsage(server.pid());
            t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            double totalCpu = ProcFs.cpuPercent(u0, ProcFs.treeUsage(server.pid()), System.nanoTime() - t0);
            ServerDelayProbe.Summary whipToWhep = ServerDelayProbe.between(e0, egress.scrape());
            ServerDelayProbe.Summary receiveWithViewers = ServerDelayProbe.between(r0, receive.scrape());
            doc.put("cpuPercentWithViewers", totalCpu);
            doc.put("whipToWhepDelay", whipToWhep);
            doc.put("receiveDelayWithViewers", receiveWithViewers);
            BenchLog.log("whip: with %d WHEP viewers: server CPU %.1f %%, WHIP first packet -> WHEP queued %s",
                    open.size(), totalCpu, whipToWhep);
            open.forEach(WhepViewer::close);
        } finally {
            clients.forEach(Process::destroy);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        Path out = results.resolve("whip-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(java.time.LocalDateTime.now()) + ".json");
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc) + "\n");
        BenchLog.log("JSON: %s", out);
    }
}
