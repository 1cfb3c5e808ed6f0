package dev.vireo.webrtc;

import dev.vireo.core.FlushBatcher;
import dev.vireo.core.LogContext;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.dtls.DtlsEndpoint;
import dev.vireo.webrtc.ice.ConsentFreshness;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.srtp.SrtpContext;
import dev.vireo.webrtc.srtp.SrtpException;
import dev.vireo.webrtc.srtp.SrtpKeyingMaterial;
import dev.vireo.webrtc.srtp.SrtpProfile;
import dev.vireo.webrtc.stun.IceCheck;
import dev.vireo.webrtc.stun.StunBinding;
import dev.vireo.webrtc.stun.StunMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media transport of one WebRTC session on the shared UDP port: an ICE-lite agent that
 * answers the browser's connectivity checks and follows its nomination (RFC 8445 §2.5, §7.3),
 * consent freshness (RFC 7675), the DTLS-SRTP handshake (RFC 5764) and SRTP/SRTCP protection
 * with the exported keys. What runs over it (WHEP playback, later WHIP ingest) is the
 * {@link Listener}.
 *
 * <p>Threading: everything happens on {@link #executor()}, the event loop of the socket the
 * session sends from; datagrams that arrive on another socket of the port hop over. The DTLS
 * handshake runs on its own virtual thread and hands the keys to the loop. {@link #close} and
 * {@link #restartIce()} may be called from any thread.
 */
public final class RtcTransport {

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

    /** Source addresses a session may have bound at once (one per candidate pair the browser tried). */
    private static final int MAX_ADDRESSES = 8;

    private final WebRtcServer server;
    private final String id;
    private final String streamKey;
    private final DatagramChannel channel;
    private final FlushBatcher batcher;
    private final SegmentationOffload offload;
    private final EventLoop loop;
    private final List<CertificateFingerprint> remoteFingerprints;
    private final Listener listener;
    private final ConsentFreshness consent;
    private final long createdNanos = System.nanoTime();
    private final Set<String> ufrags = ConcurrentHashMap.newKeySet();
    /** Loop-confined: the addresses bound to this session in the table, oldest first. */
    private final Set<InetSocketAddress> addresses = new LinkedHashSet<>();
    private volatile IceCredentials local;
    /** The credentials before an ICE restart, valid until the first check with the new ones. */
    private volatile IceCredentials previous;
    private volatile InetSocketAddress selected;
    /** The ICE-TCP connection media goes over when the selected pair is TCP (RFC 6544), else null. */
    private volatile IceTcpConnection tcp;
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
    private long checks;

    RtcTransport(WebRtcServer server, String id, String streamKey, DatagramChannel channel, FlushBatcher batcher,
                 SegmentationOffload offload, IceCredentials local, List<CertificateFingerprint> remoteFingerprints,
                 Listener listener) {
        this.server = server;
        this.id = id;
        this.streamKey = streamKey;
        this.channel = channel;
        this.batcher = batcher;
        this.offload = offload;
        this.loop = channel.eventLoop();
        this.local = local;
        this.remoteFingerprints = List.copyOf(remoteFingerprints);
        this.listener = listener;
        this.consent = new ConsentFreshness(server.config().consentTimeout().toNanos(), createdNanos);
        ufrags.add(local.ufrag());
    }

    /** Starts the consent timer; from {@link WebRtcServer#open}. */
    void start() {
        long period = Math.max(100, Math.min(1000, server.config().consentTimeout().toMillis() / 4));
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
        return local;
    }

    public boolean isConnected() {
        return connected && !closed;
    }

    /** Whether the socket can take more data now (Netty's outbound buffer below its high water mark). */
    public boolean isWritable() {
        IceTcpConnection path = tcp;
        return path != null ? path.isWritable() : channel.isWritable();
    }

    /** The negotiated SRTP profile, null before {@link Listener#onConnected()}. */
    public SrtpProfile srtpProfile() {
        return profile;
    }

    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** The browser's address the media goes to, or null before a valid check. */
    public InetSocketAddress remoteAddress() {
        return selected;
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
        InetSocketAddress to = selected;
        if (!connected || closed || to == null) {
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
        int size = packet.readableBytes();
        packetsSent++;
        bytesSent += size;
        IceTcpConnection path = tcp;
        if (path != null) {
            path.send(packet);
        } else {
            batcher.write(new DatagramPacket(packet, to), size);
        }
        return true;
    }

    /**
     * The most RTP packets of {@code segmentSize} bytes (protected) that one {@link
     * #writeRtpSegments} may carry: 1 when the socket has no segmentation offload.
     */
    public int maxSegments(int segmentSize) {
        return offload.maxSegments(segmentSize);
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
        if (!connected || closed || selected == null) {
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
     * #maxSegments}), else one datagram each. Takes ownership of {@code run}.
     *
     * @return false when nothing was sent (not connected or closed)
     */
    public boolean writeRtpSegments(ByteBuf run, int segmentSize, int count) {
        InetSocketAddress to = selected;
        if (!connected || closed || to == null) {
            run.release();
            return false;
        }
        int size = run.readableBytes();
        packetsSent += count;
        bytesSent += size;
        IceTcpConnection path = tcp;
        if (path != null) {
            for (int off = run.readerIndex(), end = off + size; off < end; off += segmentSize) {
                path.send(run.retainedSlice(off, Math.min(segmentSize, end - off)));
            }
            run.release();
        } else if (count == 1) {
            batcher.write(new DatagramPacket(run, to), size);
        } else if (offload.enabled()) {
            batcher.write(new SegmentedDatagramPacket(run, segmentSize, to), size);
        } else {
            for (int off = run.readerIndex(), end = off + size; off < end; off += segmentSize) {
                int n = Math.min(segmentSize, end - off);
                batcher.write(new DatagramPacket(run.retainedSlice(off, n), to), n);
            }
            run.release();
        }
        return true;
    }

    /**
     * An ICE restart (RFC 8445 §9, WHEP PATCH): fresh local credentials for the new answer. The
     * old ones stay valid until the peer's first check with the new ones, so media and consent
     * continue meanwhile; DTLS and SRTP are not affected.
     */
    public IceCredentials restartIce() {
        IceCredentials fresh = server.newCredentials(this);
        ufrags.add(fresh.ufrag());
        loop.execute(() -> {
            IceCredentials old = previous;
            if (old != null) {
                forgetUfrag(old);
            }
            previous = local;
            local = fresh;
        });
        return fresh;
    }

    private void forgetUfrag(IceCredentials credentials) {
        ufrags.remove(credentials.ufrag());
        server.table().removeUfrag(credentials.ufrag(), this);
    }

    public Stats stats() {
        InetSocketAddress to = selected;
        return new Stats(to == null ? null : to.getAddress().getHostAddress() + ":" + to.getPort(),
                profile == null ? null : profile.name(), connected,
                connectNanos < 0 ? -1 : (connectNanos - createdNanos) / 1_000_000,
                packetsSent, bytesSent, rtcpReceived, srtcpRejected, checks, rtpReceived, bytesReceived, srtpRejected);
    }

    // ---- from the demultiplexer ----

    /** A Binding request whose USERNAME names one of this session's ufrags; from any loop. */
    void deliverStun(StunMessage request, InetSocketAddress source) {
        if (loop.inEventLoop()) {
            onStun(request, source, null);
            return;
        }
        try {
            loop.execute(() -> onStun(request, source, null));
        } catch (RejectedExecutionException e) {
            // The server is stopping.
        }
    }

    /** A Binding request on an ICE-TCP connection bound to this session; from any loop. */
    void deliverTcpStun(StunMessage request, IceTcpConnection via) {
        try {
            loop.execute(() -> onStun(request, via.remoteAddress(), via));
        } catch (RejectedExecutionException e) {
            // The server is stopping.
        }
    }

    /** An ICE-TCP connection of this session closed; from any loop. */
    void tcpClosed(IceTcpConnection connection) {
        execute(() -> {
            if (tcp == connection) {
                close("the ICE-TCP connection closed");
            }
        });
    }

    /** DTLS, RTP or RTCP from an address bound to this session; from any loop; does not take ownership. */
    void deliver(PacketKind kind, ByteBuf datagram) {
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

    /** @param via the ICE-TCP connection the check came on, null for UDP */
    private void onStun(StunMessage request, InetSocketAddress source, IceTcpConnection via) {
        if (closed) {
            return;
        }
        IceCredentials creds = local;
        IceCredentials old = previous;
        String username = request.username().orElse("");
        int colon = username.indexOf(':');
        if (old != null && colon > 0 && username.substring(0, colon).equals(old.ufrag())) {
            creds = old;
        }
        IceCheck outcome = StunBinding.check(request, creds.ufrag(), creds.pwd());
        switch (outcome) {
            case ACCEPT -> accept(request, source, creds, via);
            case DISCARD -> server.counters().malformed.increment();
            case ROLE_CONFLICT -> {
                server.counters().badCheck.increment();
                reply(StunBinding.errorResponse(channel.alloc(), request, outcome, creds.pwd()), source, via);
            }
            default -> {
                // RFC 8489 §9.1.3: 400/401 carry no MESSAGE-INTEGRITY.
                server.counters().badCheck.increment();
                reply(StunBinding.errorResponse(channel.alloc(), request, outcome, null), source, via);
            }
        }
    }

    /**
     * RFC 8445 §7.3: a valid check is answered, binds its source, and may nominate the pair. A
     * check on an ICE-TCP connection (RFC 6544) makes that connection the media path when nothing
     * is selected yet or when it nominates; a nominating UDP check moves media back to UDP.
     */
    private void accept(StunMessage request, InetSocketAddress source, IceCredentials creds, IceTcpConnection via) {
        reply(StunBinding.successResponse(channel.alloc(), request, source, creds.pwd()), source, via);
        checks++;
        consent.onValidCheck(System.nanoTime());
        if (creds == local && previous != null) {
            // The restart is complete: the peer checks with the new credentials.
            forgetUfrag(previous);
            previous = null;
        }
        if (via == null && addresses.add(source)) {
            server.table().bind(source, this);
            if (addresses.size() > MAX_ADDRESSES) {
                evictOldestAddress();
            }
        }
        boolean nominated = StunBinding.nominates(request);
        InetSocketAddress current = selected;
        IceTcpConnection currentTcp = tcp;
        boolean moves = current == null
                || nominated && (via != currentTcp || via == null && !source.equals(current));
        if (moves) {
            tcp = via;
            selected = source;
            if (current != null) {
                inContext(() -> log.info("media path moves from {} to {}{} (nominated)", current, source,
                        via == null ? "" : " over ICE-TCP"));
            }
        }
        if (dtls == null) {
            startDtls();
        }
    }

    private void evictOldestAddress() {
        Iterator<InetSocketAddress> it = addresses.iterator();
        while (it.hasNext()) {
            InetSocketAddress a = it.next();
            if (!a.equals(selected)) {
                it.remove();
                server.table().unbind(a, this);
                return;
            }
        }
    }

    private void reply(ByteBuf stun, InetSocketAddress to, IceTcpConnection via) {
        if (via != null) {
            via.send(stun);
        } else {
            batcher.write(new DatagramPacket(stun, to), stun.readableBytes());
        }
    }

    private void startDtls() {
        dtls = new DtlsEndpoint(server.dtlsContext(), remoteFingerprints, server.config().handshakeTimeout(),
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
        InetSocketAddress to = selected;
        IceTcpConnection path = tcp;
        if (to == null || closed) {
            return;
        }
        if (path != null) {
            path.send(Unpooled.wrappedBuffer(datagram));
        } else {
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), to), channel.voidPromise());
        }
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
        inContext(() -> log.info("connected to {} in {} ms ({})", selected, (connectNanos - createdNanos) / 1_000_000,
                profile));
        listener.onConnected();
    }

    private void onPacket(PacketKind kind, ByteBuf datagram) {
        if (closed) {
            return;
        }
        switch (kind) {
            case DTLS -> {
                if (dtls == null) {
                    server.counters().unexpected.increment();
                } else if (!dtls.receive(datagram)) {
                    server.counters().dtlsOverflow.increment();
                }
            }
            case RTCP -> onRtcp(datagram);
            case RTP -> {
                if (listener.receivesRtp()) {
                    onRtp(datagram);
                } else {
                    server.counters().unexpected.increment();
                }
            }
            default -> server.counters().unexpected.increment();
        }
    }

    private void onRtcp(ByteBuf datagram) {
        if (inbound == null) {
            server.counters().srtcpRejected.increment();
            srtcpRejected++;
            return;
        }
        try {
            inbound.unprotectRtcp(datagram);
        } catch (SrtpException e) {
            server.counters().srtcpRejected.increment();
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
            server.counters().unexpected.increment();
            return;
        }
        int size = datagram.readableBytes();
        try {
            inbound.unprotectRtp(datagram);
        } catch (SrtpException e) {
            srtpRejected++;
            server.counters().malformed.increment();
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
        long now = System.nanoTime();
        if (consent.expired(now)) {
            long seconds = server.config().consentTimeout().toSeconds();
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
        IceTcpConnection path = tcp;
        if (path != null) {
            path.close();
        }
        // On the loop, or after it stopped: either way nothing else touches the addresses now.
        server.table().remove(this, List.copyOf(ufrags), new ArrayList<>(addresses));
        inContext(() -> log.info("transport closed: {} ({} packets sent)", reason, packetsSent));
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            inContext(() -> log.warn("session failed on close", e));
        }
    }

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
