package dev.vireo.server;

import dev.vireo.cluster.ClusterNode;
import dev.vireo.cluster.registry.RegistryConfig;
import dev.vireo.cluster.StreamDirectory;
import dev.vireo.cluster.relay.EdgeSource;
import dev.vireo.cluster.relay.RelayOptions;
import dev.vireo.cluster.relay.RelayServer;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.ControlPlane;
import dev.vireo.control.tls.DomainTlsContexts;
import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.http.HttpConfig;
import dev.vireo.http.HttpServer;
import dev.vireo.http.endpoints.HealthEndpoint;
import dev.vireo.http.endpoints.MetricsEndpoint;
import dev.vireo.http.endpoints.SnapshotEndpoint;
import dev.vireo.http.flv.HttpFlvPlayback;
import dev.vireo.http.hls.HlsPlayback;
import dev.vireo.http.routing.Router;
import dev.vireo.rtmp.RtmpConfig;
import dev.vireo.rtmp.RtmpServer;
import dev.vireo.transcode.AacVariant;
import dev.vireo.record.Recordings;
import dev.vireo.srt.SrtServer;
import dev.vireo.transcode.Snapshots;
import dev.vireo.transcode.TranscodeConfig;
import dev.vireo.transcode.Transcoder;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.transcode.templates.TemplateCatalog;
import dev.vireo.web.WebPages;
import dev.vireo.webrtc.WebRtcConfig;
import dev.vireo.webrtc.SessionAdmission;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.ice.HostCandidates;
import dev.vireo.webrtc.whep.IceServer;
import dev.vireo.webrtc.whep.WhepPlayback;
import dev.vireo.webrtc.whip.PublishPage;
import dev.vireo.webrtc.whip.WhipIngest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, wired by hand in one place: transport and event loops, the stream hub, the
 * metrics registry, the HTTP server with its routes, the RTMP server and WebRTC (WHEP) playback.
 */
public final class VireoServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VireoServer.class);
    private static final Duration SNAPSHOT_INTERVAL = Duration.ofSeconds(5);

    /**
     * The ports the listeners are bound to ({@code rtc}: the UDP port of WebRTC media; {@code https}:
     * the HTTPS listener, -1 when not known).
     */
    public record BoundPorts(int http, int rtmp, int rtc, int https, int srt) {
        public BoundPorts(int http, int rtmp, int rtc) {
            this(http, rtmp, rtc, -1, -1);
        }

        public BoundPorts(int http, int rtmp, int rtc, int https) {
            this(http, rtmp, rtc, https, -1);
        }
    }

    private final Config config;
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final EventExecutor hubTimer;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final StreamHub hub;
    private final Router router;
    private final HttpServer http;
    private final HttpServer https;
    private final RtmpServer rtmp;
    private final SrtServer srt;
    private final WebRtcServer rtc;
    private final WhepPlayback whep;
    private final WhipIngest whip;
    private final ControlPlane control;
    private final Transcoder transcoder;
    private final HlsPlayback hls;
    private final ProtectionMetrics protection;
    private final Snapshots snapshots;
    private final Recordings recordings;
    private final ClusterNode cluster;
    private RelayServer relay;
    private EdgeSource edge;
    private StreamDirectory directory;
    private String nodeId = "";
    private String region = "";
    private boolean closed;

    public VireoServer(Config config) {
        this(config, UnaryOperator.identity());
    }

    /** With the control plane's configuration adjusted (tests: a PostgreSQL store, until a setting names one). */
    VireoServer(Config config, UnaryOperator<ControlConfig> controlConfig) {
        this.config = config;
        transport = Transport.best();
        boss = transport.group("vireo-accept", 1);
        workers = transport.group("vireo-io", 0);
        hubTimer = new DefaultEventExecutor(new DefaultThreadFactory("vireo-hub-timer", true));

        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        NettyMemoryMetrics.bindTo(registry);

        hub = new StreamHub(HubConfig.defaults()
                .withReconnectGrace(config.reconnectGrace())
                .withSlowViewerMaxLag(config.slowViewerMaxLag()), hubTimer);
        new HubMetrics(hub, registry);

        // Domains, signing, accounts and the admin API. With no domain configured its gate
        // allows everything on the default vhost (the zero-config case).
        control = ControlPlane.open(controlConfig.apply(ControlConfig.defaults(config.dataDir())
                .withAdminKey(System.getenv().getOrDefault("VIREO_ADMIN_KEY", ""))
                .withEndpoints(urlEndpoints(config))
                .withWebhooks(ControlConfig.WebhookPolicy.defaults()
                        .withAllow(config.protection().webhookAllow())
                        .withAuth(config.protection().webhookAuthTimeout(), config.protection().webhookAuthFailOpen()))
                .withDefaultVhost(config.protection().defaultVhost())
                .withSigningFutureSkew(config.protection().signingFutureSkew())
                .withJdbc(config.cluster().storeUrl(), "", "") // store.url: "" = embedded H2
                .withStoreKeyFile(config.store().keyFile())), // store.key-file: null = data-dir/store.key
                hub);
        Gate gate = control.gate();
        // Cluster (cluster.redis): node lease and stream claims in Redis; one publisher per key
        // cluster-wide, limits/listing/forbid across nodes, configuration hints. Alone without it.
        cluster = config.cluster().clustered() ? joinCluster(config) : null;
        if (cluster != null) { // the registry names the owner an edge pulls from (the relay, issue 19)
            directory = cluster;
            nodeId = cluster.self().nodeId();
            region = config.cluster().region();
        }

        // On-demand ffmpeg jobs: {stream}_{templateId} (the account's templates from the control
        // plane, then the built-in lld/lsd/lhd/lud), {stream}@html5 (AAC→Opus, no B-frames) and
        // {stream}@aac. Registered as hub sources.
        transcoder = new Transcoder(TranscodeConfig.defaults(), hub,
                new ControlTemplates(control).orElse(TemplateCatalog.builtIn()));
        control.onTemplatesChanged(transcoder::templatesChanged);
        transcoder.frameTimings(new TranscodeGapMetrics(registry));
        if (config.html5Eager()) {
            // transcode.html5-eager: a stream browsers can only play as {stream}@html5 gets it at publish time
            transcoder.startHtml5Eagerly(key -> control.browserVariantWanted(key.vhost()));
        }
        control.withStreamDetails(key -> transcoder.jobStats(key).map(TranscodeJobView::of).orElse(null));
        Gauge.builder("vireo.transcode.jobs", transcoder, Transcoder::activeJobs).register(registry);
        FunctionCounter.builder("vireo.transcode.started", transcoder, Transcoder::jobsStarted).register(registry);
        FunctionCounter.builder("vireo.transcode.refused", transcoder, Transcoder::refusals).register(registry);
        FunctionCounter.builder("vireo.transcode.restarts", transcoder, Transcoder::restarts).register(registry);

        router = new Router();
        new HealthEndpoint().mount(router);
        new MetricsEndpoint(registry).mount(router);
        control.mount(router);
        // FLV carries no Opus: a WebRTC-published stream plays as its {stream}@aac variant.
        new HttpFlvPlayback(hub, gate, registry).withVariant(AacVariant::keyFor).mount(router);
        // HLS (MPEG-TS) and LL-HLS (fMP4) from memory, one segmenter per stream started on demand.
        hls = new HlsPlayback(hub, gate, config.hls(), registry);
        hls.mount(router);
        hls.withRenditions(new HlsRenditions(control)); // master.m3u8: the source + its domain's templates
        // JPEG of the latest keyframe, /{app}/{stream}.jpg: one ffmpeg run per stream per 5 s at most.
        snapshots = new Snapshots(hub, transcoder, SNAPSHOT_INTERVAL);
        // Recording (DVR) under data/recordings: the admin API's rules, else config.recording() (record.streams).
        Path recordingsDir = config.dataDir().resolve("recordings");
        recordings = new Recordings(hub, recordingsDir,
                key -> RecordingWiring.policy(control, config.recording(), key), java.time.Clock.systemUTC());
        recordings.onFileDone(d -> control.recordDone(d.key(), recordingsDir.relativize(d.file()).toString(), d.bytes(),
                d.durationMillis(), d.reason()));
        control.onRecordRulesChanged(recordings::reconsider);
        control.withRecordings(RecordingWiring.access(recordings.files()));
        FunctionCounter.builder("vireo.record.deleted", recordings, Recordings::filesDeleted)
                .description("recording files deleted by retention").register(registry);
        FunctionCounter.builder("vireo.record.bytes", recordings, Recordings::bytesWritten).baseUnit("bytes").register(registry);
        FunctionCounter.builder("vireo.record.failures", recordings, Recordings::failures).register(registry);
        FunctionCounter.builder("vireo.record.files", recordings, Recordings::filesDone).register(registry);
        Gauge.builder("vireo.record.active", recordings, Recordings::recording).register(registry);
        new SnapshotEndpoint(gate, this::snapshot, (int) SNAPSHOT_INTERVAL.toSeconds()).mount(router);
        // The console: thumbnails through the API key, HLS sessions in the per-protocol viewer counts.
        control.withSnapshots(key -> snapshot(key).thenApply(p -> Optional.ofNullable(p.jpeg())));
        control.withExtraViewers(key -> Map.of("hls", hls.viewers(key)));
        // WebRTC playback: WHEP signaling on the HTTP port, media on one UDP port for all sessions.
        WebRtcConfig rtcConfig = WebRtcConfig.defaults().withBind(config.bind(), config.rtcPort())
                .withCandidates(HostCandidates.parse(config.rtcCandidates())).withTransports(config.rtcTransports());
        if (config.rtcMaxSessions() > 0) {
            rtcConfig = rtcConfig.withMaxSessions(config.rtcMaxSessions());
        }
        rtc = new WebRtcServer(rtcConfig, workers, transport.datagramChannel(), registry);
        List<IceServer> iceServers = IceServer.parseList(config.rtcIceServers());
        // The troubleshooter: ICE candidates and a real STUN check of the media port.
        control.withRtcCheck(new RtcReachability(rtc)::check);
        // WebRTC ingest (WHIP) first: a simulcast publisher's layers are the WHEP ladder of its stream.
        whip = new WhipIngest(hub, gate, rtc, registry).withIceServers(iceServers);
        whep = new WhepPlayback(hub, gate, rtc, registry).withBrowserVariant(this::browserVariant)
                // ABR: a WHIP publisher's simulcast layers, else a streaming domain's abrLadder of
                // templates, {stream}_{id} started on demand
                .withLadder(new WhepLadder(control, new ControlTemplates(control).orElse(TemplateCatalog.builtIn()),
                        whip::simulcastLadder))
                .withIceServers(iceServers)
                .withAdmission(new SessionAdmission(SessionAdmission.Policy.defaults()
                        .withJoinsPerAddress(config.protection().rtcJoinsPerAddress()), registry))
                .withRed(config.loss().red());
        whep.mount(router);
        control.withWebRtcDetails(key -> WebRtcStreamView.of(whep.sessions(key)));
        // The console, the player (WHEP, then FLV, then HLS), the tools pages, / and the favicon.
        new WebPages("[" + String.join(",", iceServers.stream().map(IceServer::json).toList()) + "]").mount(router);
        // WebRTC ingest: WHIP signaling on the HTTP port, media on the same UDP port.
        whip.mount(router);
        new PublishPage(iceServers).mount(router);
        http = new HttpServer(HttpConfig.defaults()
                .withBind(config.bind(), config.httpPort())
                .withIdleTimeout(config.httpIdleTimeout())
                .withMaxBodySize(config.httpMaxBodySize()),
                router, boss, workers, transport.serverChannel());
        // The same routes over TLS, with each domain's uploaded certificate chosen by SNI. Always
        // started: certificates can be uploaded while the server runs.
        https = new HttpServer(HttpConfig.defaults()
                .withBind(config.bind(), config.httpsPort())
                .withIdleTimeout(config.httpIdleTimeout())
                .withMaxBodySize(config.httpMaxBodySize()),
                router, boss, workers, transport.serverChannel(), new DomainTlsContexts(control));

        rtmp = new RtmpServer(RtmpConfig.defaults().withBind(config.bind()).withPort(config.rtmpPort()),
                hub, gate, boss, workers, transport.serverChannel()).withPlayVariant(AacVariant::keyFor);
        // Refusals by reason, auth failures and throttling, HTTP back-pressure (vireo_refusals_total, ...).
        protection = new ProtectionMetrics(registry, control, rtmp, http, https);
        // SRT ingest and playback on libsrt (FFM): its own thread; off with a warning when libsrt is missing.
        srt = new SrtServer(config.srt(), hub, gate).withPassphrases(key -> control.srtPassphrase(key.vhost())
                .orElse(config.srt().passphrase())); // a domain's passphrase, else the default; from memory
        if (cluster != null && config.relay().on()) { // an SRT player of a key on another node makes this one pull it
            srt.withPublishedElsewhere(key -> cluster.owner(key).isPresent()); // the registry view: memory
        }
        Gauge.builder("vireo.srt.sessions", srt, s -> s.sessions().size()).register(registry);
        FunctionCounter.builder("vireo.srt.publishers.accepted", srt, SrtServer::publishersAccepted).register(registry);
        FunctionCounter.builder("vireo.srt.players.accepted", srt, SrtServer::playersAccepted).register(registry);
        FunctionCounter.builder("vireo.srt.handshakes.rejected", srt, SrtServer::handshakesRejected).register(registry);
        FunctionCounter.builder("vireo.srt.retransmitted.packets", srt, SrtServer::packetsRetransmitted)
                .description("SRT packets retransmitted, sent and received, all sessions").register(registry);
        FunctionCounter.builder("vireo.srt.lost.packets", srt, SrtServer::packetsLost)
                .description("SRT packets found lost before retransmission, all sessions").register(registry);
        FunctionCounter.builder("vireo.srt.dropped.packets", srt, SrtServer::packetsDropped)
                .description("SRT packets dropped as too late (unrecovered), all sessions").register(registry);
        Gauge.builder("vireo.srt.rtt", srt, VireoServer::worstPublisherRttSeconds).baseUnit("seconds")
                .description("highest smoothed RTT among SRT publishers (0 without any)").register(registry);
        control.withSrtDetails(key -> SrtStreamView.of(key, srt.sessions()));
    }

    /**
     * Creates the data directory and binds every listener.
     *
     * @throws RuntimeException when a port cannot be bound ({@link UncheckedIOException} for HTTP,
     *     {@link IllegalStateException} for RTMP and WebRTC) or the data directory cannot be created; the
     *     message says which; what was started is closed again
     */
    public BoundPorts start() {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        log.info("starting Vireo ({} transport, data in {})", transport.name(), config.dataDir().toAbsolutePath().normalize());
        if (!io.netty.util.internal.PlatformDependent.hasUnsafe()) {
            // Netty's default on JDK 25+; every direct-buffer copy then allocates a java.nio duplicate
            log.info("Netty runs without sun.misc.Unsafe ({}); ./vireo turns it on with"
                    + " --sun-misc-unsafe-memory-access=allow -Dio.netty.noUnsafe=false (less CPU per viewer)",
                    io.netty.util.internal.PlatformDependent.getUnsafeUnavailabilityCause().getMessage());
        }
        try {
            startRelay(); // before the transcoder: an edge pulls variants rather than making them
            transcoder.start();  // a missing ffmpeg is a warning, not a failure
            recordings.start();
            int rtmpPort = rtmp.start();
            int rtcPort = rtc.start();
            int httpPort = http.start();
            int httpsPort = startHttps();
            int srtPort = srt.start(); // -1: libsrt missing (a warning), SRT off
            return new BoundPorts(httpPort, rtmpPort, rtcPort, httpsPort, srtPort);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Makes this node an edge (issue 19): streams not published here are pulled from the node the
     * directory names (the Redis registry's in a cluster). Call before {@link #start()}; needs
     * {@code cluster.secret}.
     *
     * @param nodeId this node's id (in the origin's logs)
     * @param region this node's region ("" for none): origins there are preferred
     */
    public VireoServer withStreamDirectory(StreamDirectory d, String nodeId, String region) {
        this.directory = d;
        this.nodeId = nodeId;
        this.region = region;
        return this;
    }

    /**
     * The node-to-node relay (issue 19): with {@code cluster.secret} set, the listener on
     * {@code cluster.port} serves this node's streams to edges, and with a {@link StreamDirectory}
     * (see {@link #withStreamDirectory}) this node pulls streams published elsewhere, once per
     * stream for all its viewers. Registered as a hub source before the transcoder's.
     */
    private void startRelay() {
        Config.RelayConfig rc = config.relay();
        if (!rc.on()) {
            if (directory != null) {
                log.warn("cluster.secret is not set: this node cannot pull streams from other nodes");
            }
            return;
        }
        String id = nodeId.isEmpty() ? Main.publicHost(config) + ":" + config.httpPort() : nodeId;
        RelayOptions options = RelayOptions.defaults(id, config.bind(), rc.port(), rc.secret()).withRegion(region);
        relay = new RelayServer(options, hub, boss, workers, transport.serverChannel());
        relay.start();
        if (cluster != null) {
            cluster.advertiseRelayPort(relay.port()); // written to this node's lease at once
        }
        Gauge.builder("vireo.relay.connections", relay, RelayServer::connectionCount).register(registry);
        FunctionCounter.builder("vireo.relay.refused", relay, RelayServer::refusals).register(registry);
        if (directory != null) {
            edge = new EdgeSource(options, hub, directory, workers, transport.socketChannel())
                    .withSourceOf(Transcoder::sourceOf);
            edge.start();
            Gauge.builder("vireo.relay.pulls", edge, e -> e.pulling().size()).register(registry);
        }
    }

    /** The bound relay listener port ({@code cluster.port}, as bound), -1 when the relay is off. */
    public int clusterPort() {
        return relay == null ? -1 : relay.port();
    }

    /** The edge side of the relay (its pulls), when this node has a directory. */
    public Optional<EdgeSource> edge() {
        return Optional.ofNullable(edge);
    }

    /**
     * HTTPS is an addition to the HTTP port: when its port is taken (e.g. the default 8443 by another
     * instance started without {@code --https-port}) the server runs without it, with a warning.
     */
    private int startHttps() {
        try {
            return https.start();
        } catch (UncheckedIOException e) {
            log.warn("HTTPS disabled: {}", e.getMessage());
            return -1;
        }
    }

        public Config config() {
        return config;
    }

    public StreamHub hub() {
        return hub;
    }

    /** The HTTP route table, for modules that mount routes (WHIP/WHEP, REST API). */
    public Router router() {
        return router;
    }

    private ClusterNode joinCluster(Config config) {
        Config.ClusterConfig c = config.cluster();
        String nodeId = c.nodeId().isEmpty() ? hostName() : c.nodeId();
        String address = c.internalAddress().isEmpty() ? Main.publicHost(config) : c.internalAddress();
        int colon = address.lastIndexOf(':');
        boolean withPort = colon > 0 && address.indexOf(':') == colon;
        String host = withPort ? address.substring(0, colon) : address;
        int port = withPort ? Integer.parseInt(address.substring(colon + 1)) : 0; // the relay advertises its own
        try {
            return ClusterNode.join(new RegistryConfig(c.redisUrl(), nodeId, c.role(), c.region(), host, port,
                    c.leaseTtl(), c.claimTtl(), c.renewInterval()), hub, control);
        } catch (RuntimeException e) {
            control.close();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            hubTimer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static String hostName() {
        try {
            String h = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
            return h.length() > 64 ? h.substring(0, 64) : h;
        } catch (java.net.UnknownHostException e) {
            return "node-" + ProcessHandle.current().pid();
        }
    }

    /**
     * This node in its cluster, when {@code cluster.redis} is set: the relay's {@link
     * dev.vireo.cluster.StreamDirectory} ({@code ClusterNode} is one) and where it advertises its port.
     */
    public Optional<ClusterNode> cluster() {
        return Optional.ofNullable(cluster);
    }

    /** Where the URL generator points: the configured ports (an ephemeral port shows the default). */
    private static ControlConfig.UrlEndpoints urlEndpoints(Config config) {
        ControlConfig.UrlEndpoints d = ControlConfig.UrlEndpoints.defaults(Main.publicHost(config));
        return new ControlConfig.UrlEndpoints(d.publicHost(),
                config.rtmpPort() == 0 ? d.rtmpPort() : config.rtmpPort(),
                config.httpPort() == 0 ? d.httpPort() : config.httpPort(),
                config.httpsPort() == 0 ? d.httpsPort() : config.httpsPort(),
                config.srt().port() == 0 ? d.srtPort() : config.srt().port());
    }

    private static double worstPublisherRttSeconds(SrtServer srt) {
        return srt.sessions().stream().filter(s -> "publish".equals(s.role()) && s.stats() != null)
                .mapToDouble(s -> s.stats().rttMs() / 1000).max().orElse(0);
    }

    /** SRT ingest and playback (its sessions and their libsrt statistics). */
    public SrtServer srt() {
        return srt;
    }

    /** The plain HTTP listener. */
    public HttpServer http() {
        return http;
    }

    /** WebRTC media transport (the UDP port, its candidates and counters). */
    public WebRtcServer webRtc() {
        return rtc;
    }

    /** WHEP playback sessions and their stats. */
    public WhepPlayback whep() {
        return whep;
    }

    /** WHIP publishers and their stats. */
    public WhipIngest whip() {
        return whip;
    }

    /**
     * HTML5 auto transcoding for a WHEP viewer: the browser variant when the stream needs one
     * (AAC audio, B-frames) and the viewer's streaming domain has it switched on (the default;
     * always in the zero-config mode); otherwise the stream plays as it is, and the log says why.
     */
    private Optional<StreamKey> browserVariant(Gate.AccessRequest request, Stream stream) {
        Optional<StreamKey> variant = Html5Variant.keyFor(stream);
        if (variant.isEmpty()) {
            return variant;
        }
        Optional<String> off = control.html5TranscodingOff(request);
        if (off.isPresent()) {
            StreamStats s = stream.stats();
            log.info("WHEP viewers of {} on {} play the stream as it is: HTML5 transcoding is off for that domain"
                    + " (audio {}{})", stream.key(), off.get(), s.audioCodec(), s.bFrames() ? ", B-frames" : "");
            return Optional.empty();
        }
        return variant;
    }

    /** A stream's snapshot for the HTTP endpoint: the JPEG, or 404/503 with the reason. */
    private CompletionStage<SnapshotEndpoint.Picture> snapshot(StreamKey key) {
        return snapshots.jpeg(key).handle((jpeg, e) -> {
            if (e == null) {
                return SnapshotEndpoint.Picture.of(jpeg);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            boolean notFound = cause instanceof Snapshots.Unavailable u && u.notFound();
            return SnapshotEndpoint.Picture.refused(notFound ? 404 : 503, String.valueOf(cause.getMessage()));
        });
    }

    /** Recording (DVR). */
    public Recordings recordings() {
        return recordings;
    }

    /** On-demand ffmpeg jobs (templates, browser variants). */
    public Transcoder transcoder() {
        return transcoder;
    }

    /** Domains, signing, accounts, the admin API. */
    public ControlPlane control() {
        return control;
    }

    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Graceful stop: no new connections, every stream ends (viewers get their end of stream),
     * connections close, event loops stop. Idempotent. Order: stop accepting HTTP → transcoder →
     * HLS segmenters and snapshots → hub (viewers end, publishers revoked) → recordings (files
     * finished after the streams' last frames) → SRT (its sessions and listener, its thread) →
     * WebRTC → RTMP → HTTP → control plane → event loops.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("stopping Vireo");
        http.stopAccepting();
        https.stopAccepting();
        if (edge != null) {
            edge.close(); // pulls stop; the hub then ends their streams
        }
        transcoder.close();
        hls.close();
        snapshots.close();
        hub.close();
        if (relay != null) {
            relay.close(); // after the hub: pulling edges got END
        }
        if (cluster != null) {
            cluster.close(); // after the hub: the streams' claims are released, then the lease
        }
        recordings.close();
        srt.close();
        rtc.close();
        rtmp.close();
        http.close();
        https.close();
        control.close();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        hubTimer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        gcMetrics.close();
        registry.close();
        log.info("Vireo stopped");
    }
}
