package dev.vireo.webrtc;

import dev.vireo.core.FlushBatcher;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.dtls.DtlsCertificate;
import dev.vireo.webrtc.dtls.DtlsEndpoint;
import dev.vireo.webrtc.ice.HostCandidates;
import dev.vireo.webrtc.ice.ProbeCredentials;
import dev.vireo.webrtc.transport.IceTcpConnection;
import dev.vireo.webrtc.transport.MediaSocket;
import dev.vireo.webrtc.transport.SegmentationOffload;
import dev.vireo.webrtc.transport.SessionTable;
import dev.vireo.webrtc.transport.TransportCounters;
import dev.vireo.webrtc.transport.TransportPeer;
import dev.vireo.webrtc.transport.UdpDemultiplexer;
import dev.vireo.webrtc.sdp.SdpCandidate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebRTC media on one UDP port for every session (ICE-lite, BUNDLE, rtcp-mux, RFC 7983
 * demultiplexing): owns the socket(s), the DTLS certificate, the candidates advertised in
 * answers and the table that routes datagrams to {@link RtcTransport}s. Signaling (WHEP) opens
 * a transport per session with {@link #open}.
 *
 * <p>On epoll the port is served by several sockets with SO_REUSEPORT, one per event loop (the
 * kernel spreads peers over them by address), each reading with recvmmsg; outgoing media of a
 * session is written in batches and flushed once per frame, which epoll sends with sendmmsg.
 */
public final class WebRtcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebRtcServer.class);

    /** Largest datagram read; WebRTC packets stay below the path MTU. */
    private static final int MAX_DATAGRAM = 2048;
    /** Datagrams read per recvmmsg call on epoll. */
    private static final int DATAGRAMS_PER_READ = 16;
    private static final int SOCKET_BUFFER = 4 << 20;
    /** Shared by every session on the socket: high enough for a keyframe burst to many viewers. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(4 << 20, 8 << 20);
    /** One viewer per ICE-TCP connection: above this it is "not writable" and the slow-viewer policy applies. */
    private static final WriteBufferWaterMark TCP_WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);
    /**
     * A batch (a frame to every viewer of the loop) is flushed as it goes once this much is
     * pending, so the first viewers' packets leave while the last ones' are built: the wait a
     * packet sees is bounded by this much work, not by the number of viewers. About 50 packets per
     * sendmmsg still amortise the system call.
     */
    private static final int FLUSH_BYTES = 64 << 10;

    /** Port-level counters, for tests and diagnostics. */
    public record Stats(int sessions, long packetsIn, long unknownSource, long malformed, long badChecks,
                        long srtcpRejected, long unexpected) {
    }

    private final WebRtcConfig config;
    private final EventLoopGroup group;
    private final Class<? extends DatagramChannel> channelClass;
    private final SecureRandom random = new SecureRandom();
    private final DtlsEndpoint.Context dtlsContext;
    private final SessionTable table = new SessionTable();
    private final ProbeCredentials probe = ProbeCredentials.random();
    private final TransportCounters counters;
    private final PortContext context;
    /** One per socket, each with its batcher (used on its loop) and segmentation offload. */
    private final List<MediaSocket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    /** The ICE-TCP listener on the same port number, when TCP candidates are advertised. */
    private volatile Channel tcpListener;
    private volatile List<SdpCandidate> candidates = List.of();
    private volatile boolean closed;

    /**
     * @param group the event loops the sockets (and with them the sessions) run on
     * @param channelClass {@code EpollDatagramChannel} when {@code group} is epoll, else
     *     {@code NioDatagramChannel}
     */
    public WebRtcServer(WebRtcConfig config, EventLoopGroup group, Class<? extends DatagramChannel> channelClass,
                        MeterRegistry registry) {
        this.config = config;
        this.group = group;
        this.channelClass = channelClass;
        this.dtlsContext = new DtlsEndpoint.Context(DtlsCertificate.generate(random), random);
        this.counters = new TransportCounters(registry);
        this.context = new PortContext(table, counters, dtlsContext, config.consentTimeout(), config.handshakeTimeout(),
                random);
        Gauge.builder("vireo.webrtc.sessions", table, SessionTable::size)
                .description("WebRTC sessions on the media port").register(registry);
    }

    /**
     * Binds the media port and works out the candidates to advertise (resolving configured names:
     * blocking, once).
     *
     * @return the bound UDP port
     * @throws IllegalStateException when the port cannot be bound
     */
    public int start() {
        if (!sockets.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        boolean epoll = EpollDatagramChannel.class.isAssignableFrom(channelClass);
        int sockets = epoll ? socketCount() : 1;
        int port;
        for (int attempt = 1; ; attempt++) {
            port = bindUdp(epoll, sockets);
            if (!config.transports().tcp()) {
                break;
            }
            try {
                tcpListener = bindTcp(epoll, port);
                break;
            } catch (RuntimeException e) {
                closeChannels();
                // An ephemeral UDP port whose number another process holds on TCP: take another one.
                if (config.port() != 0 || attempt >= 5) {
                    throw e;
                }
            }
        }
        List<SdpCandidate> hosts = HostCandidates.resolve(config.candidates(), config.bind(), port);
        List<SdpCandidate> advertised = new ArrayList<>();
        if (config.transports().udp()) {
            advertised.addAll(hosts);
        }
        if (config.transports().tcp()) {
            // RFC 6544 §4.5: passive candidates; another foundation than UDP's (RFC 8445 §5.1.1.3).
            for (int i = 0; i < hosts.size(); i++) {
                SdpCandidate h = hosts.get(i);
                advertised.add(SdpCandidate.tcpPassiveHost("t" + h.foundation(), h.address(), h.port(),
                        Math.max(0, 8191 - i)));
            }
        }
        candidates = List.copyOf(advertised);
        log.info("WebRTC media on UDP {}:{} ({} socket{}{}, up to {} sessions){}, advertising {} candidate(s){}: {}",
                config.bind(), port, sockets, sockets == 1 ? "" : "s with SO_REUSEPORT",
                this.sockets.stream().allMatch(s -> s.offload().enabled()) ? ", segmentation offload" : "",
                config.maxSessions() == Integer.MAX_VALUE ? "unlimited" : config.maxSessions(),
                tcpListener == null ? "" : " and ICE-TCP on TCP " + port, candidates.size(),
                config.candidates().isEmpty() ? " detected on this host" : " as configured",
                candidates.stream().map(c -> c.transport() + " " + c.address() + ":" + c.port()).toList());
        return port;
    }

    /** Binds the UDP socket(s) of the media port (the configured port, or one ephemeral for all); returns it. */
    private int bindUdp(boolean epoll, int count) {
        int port = config.port();
        try {
            for (int i = 0; i < count; i++) {
                SegmentationOffload offload = new SegmentationOffload(
                        epoll && EpollDatagramChannel.isSegmentedDatagramPacketSupported(), "UDP socket " + i);
                UdpDemultiplexer demultiplexer = new UdpDemultiplexer(table, counters, offload, probe);
                DatagramChannel ch = bind(epoll, count > 1, port, demultiplexer);
                MediaSocket socket = new MediaSocket(ch, new FlushBatcher(ch, FLUSH_BYTES), offload);
                demultiplexer.attach(socket);
                this.sockets.add(socket);
                port = ch.localAddress().getPort();
            }
        } catch (RuntimeException e) {
            closeChannels();
            throw e;
        }
        return port;
    }

    private int socketCount() {
        if (config.sockets() > 0) {
            return config.sockets();
        }
        int loops = 0;
        for (EventExecutor ignored : group) {
            loops++;
        }
        return Math.max(1, Math.min(loops, Runtime.getRuntime().availableProcessors()));
    }

    /** The ICE-TCP listener (RFC 6544): each connection framed per RFC 4571 and bound by its first check. */
    private Channel bindTcp(boolean epoll, int port) {
        long bindTimeout = config.consentTimeout().toMillis();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TCP_WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(IceTcpConnection.framing(),
                                new IceTcpConnection(table, counters, bindTimeout));
                    }
                });
        ChannelFuture f = b.bind(config.bind(), port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("cannot listen for ICE-TCP on TCP " + config.bind() + ":" + port
                    + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    private DatagramChannel bind(boolean epoll, boolean reusePort, int port, UdpDemultiplexer demultiplexer) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(demultiplexer);
        if (epoll) {
            // recvmmsg: many datagrams per system call, each a slice of one buffer.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
            if (reusePort) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
        } else {
            b.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        }
        ChannelFuture f = b.bind(config.bind(), port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("cannot listen for WebRTC media on UDP " + config.bind() + ":" + port
                    + ": " + f.cause().getMessage(), f.cause());
        }
        return (DatagramChannel) f.channel();
    }

    /** The bound UDP port, or -1 before {@link #start()}. */
    public int port() {
        List<MediaSocket> all = sockets;
        return all.isEmpty() ? -1 : all.getFirst().channel().localAddress().getPort();
    }

    /**
     * Credentials a troubleshooting client may put in a Binding request (USERNAME
     * "{ufrag}:anything", MESSAGE-INTEGRITY with the password) to check that the media port answers
     * on a candidate's address; random per process, never shown to viewers.
     */
    public ProbeCredentials probeCredentials() {
        return probe;
    }

    /** The candidates every answer advertises. */
    public List<SdpCandidate> candidates() {
        return candidates;
    }

    /** The {@code a=fingerprint} of the server's DTLS certificate. */
    public CertificateFingerprint fingerprint() {
        return dtlsContext.certificate().fingerprint();
    }

    /**
     * Opens the transport of a new session with fresh ICE credentials. Nothing happens until the
     * browser's first connectivity check; without one within the consent timeout it closes.
     *
     * @param sessionId for logs and the DTLS thread name
     * @param streamKey for logs
     * @param remoteFingerprints the offer's {@code a=fingerprint} values (at least one)
     * @throws SessionLimitException when the port already has {@link WebRtcConfig#maxSessions()}
     * @throws IllegalStateException when the server is not running
     */
    public RtcTransport open(String sessionId, String streamKey, List<CertificateFingerprint> remoteFingerprints,
                             RtcTransport.Listener listener) {
        List<MediaSocket> all = sockets;
        if (closed || all.isEmpty()) {
            throw new IllegalStateException("the WebRTC media transport is not running");
        }
        if (remoteFingerprints.isEmpty()) {
            throw new IllegalArgumentException("the offer has no a=fingerprint");
        }
        // A soft cap: concurrent offers may pass it by a few, which is harmless.
        if (table.size() >= config.maxSessions()) {
            counters.sessionsRefused.increment();
            throw new SessionLimitException(config.maxSessions());
        }
        MediaSocket socket = all.get(Math.floorMod(next.getAndIncrement(), all.size()));
        RtcTransport t = new RtcTransport(context, sessionId, streamKey, socket, remoteFingerprints, listener);
        t.start();
        return t;
    }

    public Stats stats() {
        return new Stats(table.size(), (long) counters.packetsIn.count(), (long) counters.unknownSource.count(),
                (long) counters.malformed.count(), (long) counters.badCheck.count(),
                (long) counters.srtcpRejected.count(), (long) counters.unexpected.count());
    }

    /** Closes every session ("server shutting down") and the sockets. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TransportPeer t : new ArrayList<>(table.transports())) {
            t.close("server shutting down");
        }
        closeChannels();
    }

    private void closeChannels() {
        Channel listener = tcpListener;
        if (listener != null) {
            listener.close().awaitUninterruptibly();
            tcpListener = null;
        }
        for (MediaSocket s : sockets) {
            s.channel().close().awaitUninterruptibly();
        }
        sockets.clear();
    }
}
