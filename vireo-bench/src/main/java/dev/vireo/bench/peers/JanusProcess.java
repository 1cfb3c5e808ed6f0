package dev.vireo.bench.peers;

import dev.vireo.bench.FreePort;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Janus Gateway (1.1.x) as the WebRTC reference server: its Streaming plugin fans one RTP source
 * out to WebRTC viewers, each its own PeerConnection (ICE, DTLS-SRTP, RTCP), which is what
 * Vireo's WHEP egress does. A generated config folder under the run's work dir holds only what
 * the bench needs: the Streaming plugin and the plain HTTP transport (each loaded from a folder
 * of its own, so no other plugin, transport, event handler or logger starts), no admin API,
 * ICE-lite, a fixed number of event loops and warnings-only logging.
 *
 * <p>Janus has no RTMP ingest: the bench feeds the mountpoint plain RTP
 * ({@code ClipPublisher.startRtp}) and plays it through the Janus API ({@code JanusApi}).
 */
public final class JanusProcess implements ServerUnderTest {

    /** The mountpoint id the viewers ask to watch. */
    public static final int MOUNTPOINT = 1;
    static final int VIDEO_PT = 96;
    static final int AUDIO_PT = 111;
    /**
     * Warnings and worse (Janus levels: 4 info, 5 verbose, 7 debug). At 4 Janus logs several lines
     * per PeerConnection; the log is written by a thread of the measured process. For debugging:
     * {@code VIREO_BENCH_JAVA_OPTS=-Dvireo.bench.janus.loglevel=5}.
     */
    static final int LOG_LEVEL = Integer.getInteger("vireo.bench.janus.loglevel", 3);

    private final Process process;
    private final String hostAddress;
    private final int httpPort;
    private final RtpIngest ingest;
    private final Path log;

    /** Where the bench sends the mountpoint's RTP: both ports on 127.0.0.1. */
    public record RtpIngest(InetSocketAddress video, int videoPt, InetSocketAddress audio, int audioPt) {
    }

    private JanusProcess(Process process, String hostAddress, int httpPort, RtpIngest ingest, Path log) {
        this.process = process;
        this.hostAddress = hostAddress;
        this.httpPort = httpPort;
        this.ingest = ingest;
        this.log = log;
    }

    /**
     * @param janus          the janus binary
     * @param libDir         where Janus's modules are ({@code plugins/}, {@code transports/})
     * @param profileLevelId the clip's H.264 profile-level-id (RFC 6184 §8.1), put in the offer
     * @param eventLoops     Janus's static event loops (its media threads, shared by all handles)
     * @param workDir        a fresh directory: config and log go there
     */
    public static JanusProcess start(Path janus, Path libDir, String profileLevelId, int eventLoops, Path workDir)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(janus)) {
            throw new IllegalStateException(janus + " is not installed (Debian: apt-get install janus)");
        }
        Path conf = Files.createDirectories(workDir.resolve("janus"));
        Path plugins = Files.createDirectories(conf.resolve("plugins"));
        Path transports = Files.createDirectories(conf.resolve("transports"));
        Path none = Files.createDirectories(conf.resolve("none"));
        // only the two modules the bench uses: Janus loads every .so of a folder
        Files.createSymbolicLink(plugins.resolve("libjanus_streaming.so"), libDir.resolve("plugins/libjanus_streaming.so"));
        Files.createSymbolicLink(transports.resolve("libjanus_http.so"), libDir.resolve("transports/libjanus_http.so"));
        String host = hostAddress(java.util.Collections.list(NetworkInterface.getNetworkInterfaces()));
        int httpPort = FreePort.pick();
        RtpIngest ingest = new RtpIngest(new InetSocketAddress(FreePort.LOOPBACK, FreePort.pickUdp()), VIDEO_PT,
                new InetSocketAddress(FreePort.LOOPBACK, FreePort.pickUdp()), AUDIO_PT);
        Files.writeString(conf.resolve("janus.jcfg"), coreConfig(conf, plugins, transports, none, eventLoops, host));
        Files.writeString(conf.resolve("janus.transport.http.jcfg"), httpConfig(httpPort));
        Files.writeString(conf.resolve("janus.plugin.streaming.jcfg"), streamingConfig(ingest, profileLevelId));
        Path log = workDir.resolve("janus.log");
        List<String> cmd = new ArrayList<>(List.of(janus.toString(), "-F", conf.toString(),
                "-C", conf.resolve("janus.jcfg").toString(), "-o")); // -o: no colour codes in the log
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (LOG_LEVEL >= 7) {
            cmd.add("-l"); // libnice's own debug output too (ICE checks), through GLib's log
            pb.environment().put("G_MESSAGES_DEBUG", "all");
        }
        Process p = pb.redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        JanusProcess server = new JanusProcess(p, host, httpPort, ingest, log);
        try {
            FreePort.awaitListening(httpPort, p, 20_000, "janus (log: " + log + ")");
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The machine's address Janus's candidates use: libnice never gathers loopback addresses, so
     * Janus gets the first non-loopback IPv4 address of an interface that is up, and the viewers
     * bind to the same address. Traffic to one's own address never leaves the machine (Linux
     * routes it over {@code lo}), so this is loopback traffic like Vireo's; but libnice pins its
     * sockets to the interface (IP_UNICAST_IF), so a viewer on 127.0.0.1 would never hear back.
     *
     * @throws IllegalStateException when the machine has no such address
     */
    static String hostAddress(List<NetworkInterface> interfaces) throws java.net.SocketException {
        for (NetworkInterface nif : interfaces) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        throw new IllegalStateException("Janus (libnice) never uses loopback addresses for ICE, and this machine has "
                + "no other IPv4 address for it");
    }

    /**
     * janus.jcfg. ICE-lite as Vireo (the viewer is the controlling agent). Candidates on
     * {@code hostAddress} only (ice_enforce_list takes addresses too), so each handle binds one
     * socket, not one per address. Sessions do not time out: the bench detaches every handle it
     * attached, and keepalives would be signalling noise in the measurement.
     */
    static String coreConfig(Path conf, Path plugins, Path transports, Path none, int eventLoops, String hostAddress) {
        return """
                general: {
                	configs_folder = "%s"
                	plugins_folder = "%s"
                	transports_folder = "%s"
                	events_folder = "%s"
                	loggers_folder = "%s"
                	debug_level = %d
                	session_timeout = 0
                	event_loops = %d
                	hide_dependencies = true
                }
                certificates: {
                }
                media: {
                	ipv6 = false
                }
                nat: {
                	ice_lite = true
                	ice_enforce_list = "%s"
                }
                plugins: {
                }
                transports: {
                }
                loggers: {
                }
                events: {
                	broadcast = false
                }
                """.formatted(conf, plugins, transports, none, none, LOG_LEVEL, eventLoops, hostAddress);
    }

    /** janus.transport.http.jcfg: the Janus API on 127.0.0.1, compact JSON, no admin API, no HTTPS. */
    static String httpConfig(int port) {
        return """
                general: {
                	json = "compact"
                	base_path = "/janus"
                	http = true
                	port = %d
                	ip = "127.0.0.1"
                	https = false
                }
                admin: {
                	admin_http = false
                	admin_https = false
                }
                """.formatted(port);
    }

    /** janus.plugin.streaming.jcfg: one RTP mountpoint, H.264 (packetization-mode=1) and Opus, on loopback. */
    static String streamingConfig(RtpIngest in, String profileLevelId) {
        return """
                general: {
                	events = false
                }
                bench: {
                	type = "rtp"
                	id = %d
                	description = "vireo bench"
                	media = (
                		{ type = "video" mid = "v" port = %d pt = %d codec = "h264" iface = "%s"
                		  fmtp = "profile-level-id=%s;packetization-mode=1" },
                		{ type = "audio" mid = "a" port = %d pt = %d codec = "opus" iface = "%s" }
                	)
                }
                """.formatted(MOUNTPOINT, in.video().getPort(), in.videoPt(), FreePort.LOOPBACK, profileLevelId,
                in.audio().getPort(), in.audioPt(), FreePort.LOOPBACK);
    }

    /** The Janus API root, {@code http://127.0.0.1:port/janus}. */
    public URI apiUrl() {
        return URI.create("http://" + FreePort.LOOPBACK + ":" + httpPort + "/janus");
    }

    /** The address of Janus's ICE candidates (see {@link #hostAddress(List)}). */
    public String hostAddress() {
        return hostAddress;
    }

    public RtpIngest ingest() {
        return ingest;
    }

    @Override
    public Optional<JanusProcess> janus() {
        return Optional.of(this);
    }

    @Override
    public String name() {
        return "janus";
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public URI rtmpUrl(String app, String stream) {
        throw new UnsupportedOperationException("Janus has no RTMP ingest: the bench feeds it RTP");
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        ServerUnderTest.stop(process, 10); // Janus tears its sessions down and exits
    }
}
