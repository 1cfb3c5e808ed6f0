package dev.vireo.webrtc;

import dev.vireo.core.LogContext;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.dtls.DtlsSrtp;
import dev.vireo.webrtc.ice.ConsentFreshness;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.ice.IceLiteAgent;
import dev.vireo.webrtc.srtp.SrtpException;
import dev.vireo.webrtc.srtp.SrtpProfile;
import dev.vireo.webrtc.stun.IceCheck;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.transport.MediaPath;
import dev.vireo.webrtc.transport.MediaSocket;
import dev.vireo.webrtc.transport.PacketKind;
import dev.vireo.webrtc.transport.PeerCounters;
import dev.vireo.webrtc.transport.PeerPath;
import dev.vireo.webrtc.transport.TransportPeer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
    private final EventLoop loop;
    private final Listener listener;
    private final IceLiteAgent ice;
    private final DtlsSrtp srtp;
    private final PeerCounters counters = new PeerCounters();
    private final PeerPath out;
    private final long createdNanos = System.nanoTime();
    private volatile boolean connected;
    private volatile boolean closed;
    private ScheduledFuture<?> consentTimer;
    private long connectNanos = -1;

    /** With fresh credentials registered in the port's table; {@link #start()} it once created. */
    RtcTransport(PortContext port, String id, String streamKey, MediaSocket socket,
                 List<CertificateFingerprint> remoteFingerprints, Listener listener) {
        this.port = port;
        this.id = id;
        this.streamKey = streamKey;
        this.loop = socket.eventLoop();
        this.listener = listener;
        ConsentFreshness consent = new ConsentFreshness(port.consentTimeout().toNanos(), createdNanos);
        this.ice = new IceLiteAgent(port.register(this), consent, loop, port.bindings(this));
        this.out = new PeerPath(socket, ice::selected, counters);
        this.srtp = new DtlsSrtp(port.dtls(), remoteFingerprints, port.handshakeTimeout(), this::sendDtls, loop,
                new DtlsSrtp.Listener() {
                    @Override
                    public void onKeyed() {
                        onConnected();
                    }

                    @Override
                    public void onClosed(String reason) {
                        close(reason);
                    }
                }, id);
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
        return out.isWritable();
    }

    /** The negotiated SRTP profile, null before {@link Listener#onConnected()}. */
    public SrtpProfile srtpProfile() {
        return srtp.profile();
    }

    public ByteBufAllocator alloc() {
        return out.alloc();
    }

    /** The peer's address the media goes to, or null before a valid check. */
    public InetSocketAddress remoteAddress() {
        return out.remoteAddress();
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
                srtp.protectRtcp(packet);
            } else {
                srtp.protectRtp(packet);
            }
        } catch (SrtpException e) {
            packet.release();
            inContext(() -> log.debug("not sent: {}", e.getMessage()));
            return false;
        }
        out.send(path, packet);
        return true;
    }

    /**
     * The most RTP packets of {@code segmentSize} bytes (protected) that one {@link
     * #writeRtpSegments} may carry: 1 when the path cannot send runs at once.
     */
    public int maxSegments(int segmentSize) {
        return out.maxSegments(segmentSize);
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
            return srtp.protectRtp(buf, start, len);
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
        out.sendSegments(path, run, segmentSize, count);
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
        return new Stats(out.remoteAddressText(),
                srtp.profile() == null ? null : srtp.profile().name(), connected,
                connectNanos < 0 ? -1 : (connectNanos - createdNanos) / 1_000_000,
                counters.packetsSent(), counters.bytesSent(), counters.rtcpReceivedCount(),
                counters.srtcpRejectedCount(), ice.checks(), counters.rtpReceivedCount(), counters.bytesReceived(),
                counters.srtpRejectedCount());
    }

    // ---- from the demultiplexers ----

    /** A Binding request whose USERNAME names one of this session's ufrags; from any loop. */
    @Override
    public void deliverStun(StunMessage request, MediaPath path) {
        MediaPath own = out.own(path);
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
        port.counters().check(check.check());
        if (check.reply() != null) {
            path.send(check.reply());
        }
        if (check.movedFrom() != null) {
            inContext(() -> log.info("media path moves from {} to {}{} (nominated)", check.movedFrom().remoteAddress(),
                    path.remoteAddress(), path.isTcp() ? " over ICE-TCP" : ""));
        }
        if (check.check() == IceCheck.ACCEPT) {
            srtp.startOnce();
        }
    }

    /** From the DTLS thread: one datagram to the peer. */
    private void sendDtls(byte[] datagram) {
        if (!closed) {
            out.sendNow(datagram);
        }
    }

    private void onConnected() {
        connected = true;
        connectNanos = System.nanoTime();
        inContext(() -> log.info("connected to {} in {} ms ({})", remoteAddress(),
                (connectNanos - createdNanos) / 1_000_000, srtp.profile()));
        listener.onConnected();
    }

    private void onPacket(PacketKind kind, ByteBuf datagram) {
        if (closed) {
            return;
        }
        switch (kind) {
            case DTLS -> {
                if (!srtp.started()) {
                    port.counters().unexpected.increment();
                } else if (!srtp.receive(datagram)) {
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
        try {
            if (srtp.unprotectRtcp(datagram)) {
                counters.rtcpReceived();
                listener.onRtcp(datagram);
                return;
            }
        } catch (SrtpException e) {
            // counted below
        }
        port.counters().srtcpRejected.increment();
        counters.srtcpRejected();
    }

    /** RFC 3711 §3.3: SRTP from the peer, authenticated and decrypted in place, to the listener. */
    private void onRtp(ByteBuf datagram) {
        int size = datagram.readableBytes();
        try {
            if (!srtp.unprotectRtp(datagram)) {
                counters.srtpRejected();
                port.counters().unexpected.increment();
                return;
            }
        } catch (SrtpException e) {
            port.counters().malformed.increment();
            if (counters.srtpRejected() == 1) {
                inContext(() -> log.debug("dropping SRTP that does not authenticate: {}", e.getMessage()));
            }
            return;
        }
        counters.rtpReceived(size);
        listener.onRtp(datagram);
    }

    private void checkConsent() {
        if (closed) {
            return;
        }
        String lost = ice.consent().lostReason(System.nanoTime(), port.consentTimeout().toSeconds());
        if (lost != null) {
            close(lost);
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
        srtp.close();
        MediaPath path = ice.selected();
        if (path != null) {
            path.close();
        }
        // On the loop, or after it stopped: either way nothing else touches the addresses now.
        port.table().remove(this, ice.ufrags(), ice.addresses());
        inContext(() -> log.info("transport closed: {} ({} packets sent)", reason, counters.packetsSent()));
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
