package dev.vireo.webrtc;

import dev.vireo.core.LogContext;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.dtls.DtlsEndpoint;
import dev.vireo.webrtc.ice.ConsentFreshness;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.ice.IceLiteAgent;
import dev.vireo.webrtc.srtp.SrtpContext;
import dev.vireo.webrtc.srtp.SrtpException;
import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import dev.vireo.webrtc.srtp.SrtpProfile;
import dev.vireo.webrtc.stun.IceCheck;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.transport.MediaPath;
import dev.vireo.webrtc.transport.MediaSocket;
import dev.vireo.webrtc.transport.PacketKind;
import dev.vireo.webrtc.transport.TransportPeer;
import dev.vireo.webrtc.transport.UdpPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media transport of one WebRTC session on the shared port: one peer's keys and counters. Its
 * {@link IceLiteAgent} answers the peer's checks and selects the {@link MediaPath} (UDP or
 * ICE-TCP) everything is sent over; the DTLS-SRTP handshake (RFC 5764) gives the SRTP/SRTCP keys
 * it protects and unprotects with. What runs over it (a WHEP viewer, a WHIP publisher) is the
 * {@link Listener}. It never calls back into the server: what it shares with the port's other
 * transports comes in as a {@link PortContext}.
 *
 * <p>Threading: everything happens on {@link #executor()}, the event loop of the socket the
 * session sends from; datagrams that arrive on another socket of the port hop over. The DTLS
 * handshake runs on its own virtual thread and hands the keys to the loop. {@link #close} and
 * {@link #restartIce()} may be called from any thread.
 */
public final class RtcTransport implements TransportPeer {

    /** What the transport reports, always on {@link #executor()}. */
    public interface Listener {

        /** ICE and DTLS are done and SRTP is keyed: media may flow. */
        void onConnected();

        /** A compound RTCP packet from the peer, authenticated and decrypted; valid during the call only. */
        void onRtcp(ByteBuf compound);

        /**
         * An RTP packet from the peer (a publisher's media, WHIP), authenticated and decrypted;
         * valid during the call only ({@code retain()} it to keep it). Playback sessions get none.
         */
        default void onRtp(ByteBuf packet) {
        }

        /** Whether this session takes RTP from the peer (a publisher); for others RTP is unexpected. */
        default boolean receivesRtp() {
            return false;
        }

        /** The transport closed (consent lost, DTLS closed or failed, server stopping, {@link #close}); once. */
        void onClosed(String reason);
    }

    /** Traffic counters of one transport, for session stats. */
    public record Stats(String remoteAddress, String srtpProfile, boolean connected, long connectMillis,
                        long packetsSent, long bytesSent, long rtcpReceived, long srtcpRejected, long checks,
                        long rtpReceived, long bytesReceived, long srtpRejected) {
    }

    private static final Logger log = LoggerFactory.getLogger(RtcTransport.class);

    private final PortContext port;
    private final String id;
    private final String streamKey;
    private final MediaSocket socket;
    private final EventLoop loop;
    private final List<CertificateFingerprint> remoteFingerprints;
    private final Listener listener;
    private final IceLiteAgent ice;
    private final long createdNanos = System.nanoTime();
    private volatile boolean connected;
    private volatile boolean closed;
    private DtlsEndpoint dtls;
    private SrtpContext outbound;
    private SrtpContext inbound;
    private SrtpProfile profile;
    private ScheduledFuture<?> consentTimer;
    private long connectNanos = -1;
    private long packetsSent;
    private long bytesSent;
    private long rtcpReceived;
    private long srtcpRejected;
    private long rtpReceived;
    private long bytesReceived;
    private long srtpRejected;

    /** With fresh credentials registered in the port's table; {@link #start()} it once created. */
    RtcTransport(PortContext port, String id, String streamKey, MediaSocket socket,
                 List<CertificateFingerprint> remoteFingerprints, Listener listener) {
        this.port = port;
        this.id = id;
        this.streamKey = streamKey;
        this.socket = socket;
        this.loop = socket.eventLoop();
        this.remoteFingerprints = List.copyOf(remoteFingerprints);
        this.listener = listener;
        ConsentFreshness consent = new ConsentFreshness(port.consentTimeout().toNanos(), createdNanos);
        this.ice = new IceLiteAgent(port.register(this), consent, loop, new IceLiteAgent.Bindings() {
            @Override
            public void bind(InetSocketAddress address) {
                port.table().bind(address, RtcTransport.this);
            }

            @Override
            public void unbind(InetSocketAddress address) {
                port.table().unbind(address, RtcTransport.this);
            }

            @Override
            public void forgetUfrag(String ufrag) {
                port.table().removeUfrag(ufrag, RtcTransport.this);
            }

            @Override
            public IceCredentials fresh() {
                return port.register(RtcTransport.this);
            }
        });
    }

    /** Starts the consent timer; from {@link WebRtcServer#open}. */
    void start() {
        long period = Math.max(100, Math.min(1000, port.consentTimeout().toMillis() / 4));
        try {
            consentTimer = loop.scheduleAtFixedRate(this::checkConsent, period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closed = true;
            throw new IllegalStateException("the media transport is shutting down", e);
        }
    }

    public String id() {
        return id;
    }

    /** The event loop every listener call, and every write, happens on. */
    public EventExecutor executor() {
        return loop;
    }

    /** The local ICE credentials for the answer (the new ones after {@link #restartIce()}). */
    public IceCredentials localCredentials() {
        return ice.localCredentials();
    }

    public boolean isConnected() {
        return connected && !closed;
    }

    /** Whether the path can take more data now (Netty's outbound buffer below its high water mark). */
    public boolean isWritable() {
        MediaPath path = ice.selected();
        return path != null ? path.isWritable() : socket.channel().isWritable();
    }

    /** The negotiated SRTP profile, null before {@link Listener#onConnected()}. */
    public SrtpProfile srtpProfile() {
        return profile;
    }

    public ByteBufAllocator alloc() {
        return socket.channel().alloc();
    }

    /** The peer's address the media goes to, or null before a valid check. */
    public InetSocketAddress remoteAddress() {
        MediaPath path = ice.selected();
        return path == null ? null : path.remoteAddress();
    }

    /**
     * On the loop: protects a plain RTP packet in place and queues it for the peer. Writes are
     * flushed once per event-loop task for every session of the socket together (one sendmmsg
     * batch on epoll). Takes ownership of {@code rtp}; allocate it on the heap with
     * {@link SrtpProfile#rtpTagLength()} spare bytes so protection needs no copy.
     *
     * @return false when it was not sent (not connected, closed, or refused by SRTP)
     */
    public boolean writeRtp(ByteBuf rtp) {
        return write(rtp, false);
    }

    /** On the loop: as {@link #writeRtp} for a compound RTCP packet (SRTCP). */
    public boolean writeRtcp(ByteBuf rtcp) {
        return write(rtcp, true);
    }

    private boolean write(ByteBuf packet, boolean rtcp) {
        MediaPath path = ice.selected();
        if (!connected || closed || path == null) {
            packet.release();
            return false;
        }
        try {
            if (rtcp) {
                outbound.protectRtcp(packet);
            } else {
                outbound.protectRtp(packet);
            }
        } catch (SrtpException e) {
            packet.release();
            inContext(() -> log.debug("not sent: {}", e.getMessage()));
            return false;
        }
        packetsSent++;
        bytesSent += packet.readableBytes();
        path.send(packet);
        return true;
    }

    /**
     * The most RTP packets of {@code segmentSize} bytes (protected) that one {@link
     * #writeRtpSegments} may carry: 1 when the path cannot send runs at once.
     */
    public int maxSegments(int segmentSize) {
        MediaPath path = ice.selected();
        return path != null ? path.maxSegments(segmentSize) : socket.offload().maxSegments(segmentSize);
    }

    /**
     * On the loop: protects in place the plain RTP packet at {@code buf[start, start+len)}, for a
     * run of packets built back to back in one buffer ({@link #writeRtpSegments}); the tag's bytes
     * after the packet must be within the buffer's capacity.
     *
     * @return the protected length, or -1 when the packet must not be sent (not connected,
     *     closed, or refused by SRTP)
     */
    public int protectRtp(ByteBuf buf, int start, int len) {
        if (!connected || closed || ice.selected() == null) {
            return -1;
        }
        try {
            return outbound.protectRtp(buf, start, len);
        } catch (SrtpException e) {
            inContext(() -> log.debug("not sent: {}", e.getMessage()));
            return -1;
        }
    }

    /**
     * On the loop: queues {@code count} protected RTP packets that lie back to back in the
     * readable bytes of {@code run}, each {@code segmentSize} bytes but the last (which may be
     * shorter): one UDP GSO send when the socket offloads segmentation (count at most {@link
     * #maxSegments}), else one packet each. Takes ownership of {@code run}.
     *
     * @return false when nothing was sent (not connected or closed)
     */
    public boolean writeRtpSegments(ByteBuf run, int segmentSize, int count) {
        MediaPath path = ice.selected();
        if (!connected || closed || path == null) {
            run.release();
            return false;
        }
        packetsSent += count;
        bytesSent += run.readableBytes();
        path.sendSegments(run, segmentSize, count);
        return true;
    }

    /**
     * An ICE restart (RFC 8445 §9, WHIP/WHEP PATCH): fresh local credentials for the new answer.
     * The old ones stay valid until the peer's first check with the new ones, so media and consent
     * continue meanwhile; DTLS and SRTP are not affected.
     */
    public IceCredentials restartIce() {
        return ice.restart();
    }

    public Stats stats() {
        InetSocketAddress to = remoteAddress();
        return new Stats(to == null ? null : to.getAddress().getHostAddress() + ":" + to.getPort(),
                profile == null ? null : profile.name(), connected,
                connectNanos < 0 ? -1 : (connectNanos - createdNanos) / 1_000_000,
                packetsSent, bytesSent, rtcpReceived, srtcpRejected, ice.checks(), rtpReceived, bytesReceived,
                srtpRejected);
    }

    // ---- from the demultiplexers ----

    /** A Binding request whose USERNAME names one of this session's ufrags; from any loop. */
    @Override
    public void deliverStun(StunMessage request, MediaPath path) {
        // Media leaves by this session's own socket (its batcher is confined to its loop).
        MediaPath own = path instanceof UdpPath udp && udp.socket() != socket ? socket.path(udp.remoteAddress()) : path;
        if (loop.inEventLoop()) {
            onStun(request, own);
            return;
        }
        execute(() -> onStun(request, own));
    }

    /** An ICE-TCP connection of this session closed; from any loop. */
    @Override
    public void pathClosed(MediaPath path) {
        execute(() -> {
            if (ice.selected() == path) {
                close("the ICE-TCP connection closed");
            }
        });
    }

    /** DTLS, RTP or RTCP from an address bound to this session; from any loop; does not take ownership. */
    @Override
    public void deliver(PacketKind kind, ByteBuf datagram) {
        if (loop.inEventLoop()) {
            onPacket(kind, datagram);
            return;
        }
        ByteBuf copy = datagram.retainedDuplicate();
        try {
            loop.execute(() -> {
                try {
                    onPacket(kind, copy);
                } finally {
                    copy.release();
                }
            });
        } catch (RejectedExecutionException e) {
            copy.release();
        }
    }

    private void onStun(StunMessage request, MediaPath path) {
        if (closed) {
            return;
        }
        IceLiteAgent.Check check = ice.onRequest(request, path, alloc());
        switch (check.check()) {
            case ACCEPT -> {
            }
            case DISCARD -> port.counters().malformed.increment();
            default -> port.counters().badCheck.increment();
        }
        if (check.reply() != null) {
            path.send(check.reply());
        }
        if (check.movedFrom() != null) {
            inContext(() -> log.info("media path moves from {} to {}{} (nominated)", check.movedFrom().remoteAddress(),
                    path.remoteAddress(), path.isTcp() ? " over ICE-TCP" : ""));
        }
        if (check.check() == IceCheck.ACCEPT && dtls == null) {
            startDtls();
        }
    }

    private void startDtls() {
        dtls = new DtlsEndpoint(port.dtls(), remoteFingerprints, port.handshakeTimeout(),
                this::sendDtls, new DtlsEndpoint.Listener() {
                    @Override
                    public void onHandshakeComplete(SrtpKeyingMaterial keys) {
                        execute(() -> onKeys(keys));
                    }

                    @Override
                    public void onClosed(String reason) {
                        close(reason);
                    }
                }, id);
        dtls.start();
    }

    /** From the DTLS thread: one datagram to the peer. */
    private void sendDtls(byte[] datagram) {
        MediaPath path = ice.selected();
        if (path == null || closed) {
            return;
        }
        path.sendNow(Unpooled.wrappedBuffer(datagram));
    }

    private void onKeys(SrtpKeyingMaterial keys) {
        if (closed) {
            return;
        }
        // We are the DTLS server (a=setup:passive): we protect with the server write key.
        outbound = keys.outbound(true);
        inbound = keys.inbound(true);
        profile = keys.profile();
        connected = true;
        connectNanos = System.nanoTime();
        inContext(() -> log.info("connected to {} in {} ms ({})", remoteAddress(),
                (connectNanos - createdNanos) / 1_000_000, profile));
        listener.onConnected();
    }

    private void onPacket(PacketKind kind, ByteBuf datagram) {
        if (closed) {
            return;
        }
        switch (kind) {
            case DTLS -> {
                if (dtls == null) {
                    port.counters().unexpected.increment();
                } else if (!dtls.receive(datagram)) {
                    port.counters().dtlsOverflow.increment();
                }
            }
            case RTCP -> onRtcp(datagram);
            case RTP -> {
                if (listener.receivesRtp()) {
                    onRtp(datagram);
                } else {
                    port.counters().unexpected.increment();
                }
            }
            default -> port.counters().unexpected.increment();
        }
    }

    private void onRtcp(ByteBuf datagram) {
        if (inbound == null) {
            port.counters().srtcpRejected.increment();
            srtcpRejected++;
            return;
        }
        try {
            inbound.unprotectRtcp(datagram);
        } catch (SrtpException e) {
            port.counters().srtcpRejected.increment();
            srtcpRejected++;
            return;
        }
        if (rtcpReceived++ == 0) {
            dtls.confirm(); // the peer derived the keys: it has our final DTLS flight
        }
        listener.onRtcp(datagram);
    }

    /** RFC 3711 §3.3: SRTP from the peer, authenticated and decrypted in place, to the listener. */
    private void onRtp(ByteBuf datagram) {
        if (inbound == null) {
            srtpRejected++;
            port.counters().unexpected.increment();
            return;
        }
        int size = datagram.readableBytes();
        try {
            inbound.unprotectRtp(datagram);
        } catch (SrtpException e) {
            srtpRejected++;
            port.counters().malformed.increment();
            if (srtpRejected == 1) {
                inContext(() -> log.debug("dropping SRTP that does not authenticate: {}", e.getMessage()));
            }
            return;
        }
        if (rtpReceived++ == 0) {
            dtls.confirm(); // the peer derived the keys: it has our final DTLS flight
        }
        bytesReceived += size;
        listener.onRtp(datagram);
    }

    private void checkConsent() {
        if (closed) {
            return;
        }
        ConsentFreshness consent = ice.consent();
        if (consent.expired(System.nanoTime())) {
            long seconds = port.consentTimeout().toSeconds();
            close(consent.everChecked()
                    ? "consent expired: no ICE check from the browser for " + seconds + " s (RFC 7675)"
                    : "no ICE connectivity check within " + seconds + " s of the answer");
        }
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The server is stopping; close() has run or runs without the loop.
        }
    }

    /** Closes the transport (any thread, idempotent); the listener's {@code onClosed} follows on the loop. */
    @Override
    public void close(String reason) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> close(reason));
            } catch (RejectedExecutionException e) {
                doClose(reason);
            }
            return;
        }
        doClose(reason);
    }

    private void doClose(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        if (consentTimer != null) {
            consentTimer.cancel(false);
        }
        if (dtls != null) {
            dtls.close();
        }
        MediaPath path = ice.selected();
        if (path != null) {
            path.close();
        }
        // On the loop, or after it stopped: either way nothing else touches the addresses now.
        port.table().remove(this, ice.ufrags(), ice.addresses());
        inContext(() -> log.info("transport closed: {} ({} packets sent)", reason, packetsSent));
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            inContext(() -> log.warn("session failed on close", e));
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Runs a log statement with the stream key and session id in the MDC. */
    void inContext(Runnable logStatement) {
        LogContext.run(streamKey, id, logStatement);
    }

    @Override
    public String toString() {
        return "RtcTransport[" + id + " " + streamKey + "]";
    }
}
