package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.LatencyRecorder;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.webrtc.dtls.DtlsCertificate;
import dev.vireo.webrtc.dtls.DtlsSrtpClient;
import dev.vireo.webrtc.dtls.QueueDatagramTransport;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.srtp.SrtpContext;
import dev.vireo.webrtc.srtp.SrtpException;
import dev.vireo.webrtc.stun.StunBinding;
import dev.vireo.webrtc.stun.StunClass;
import dev.vireo.webrtc.stun.StunMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.SRTPProtectionProfile;

/**
 * A WebRTC viewer that plays the browser's network part (not a browser): signals through
 * {@link RtcSignalling} (WHEP: POSTs a browser-like offer, {@link WhepOffer}; Janus: answers the
 * server's offer through the Janus API, {@link JanusApi}), then, the same for every server,
 * sends ICE connectivity checks with USE-CANDIDATE from its own UDP socket (on 127.0.0.1, or
 * where {@link RtcSignalling#bindAddress()} says; RFC 8445 §7.2.2, as a controlling full agent
 * facing ICE-lite) and answers the server's checks if it sends any, runs the DTLS-SRTP client
 * handshake ({@link DtlsSrtpClient}) and keeps consent fresh (a Binding request
 * every {@value #CONSENT_SECONDS} s, RFC 7675 §5.1). The server does all its per-viewer work
 * (SRTP protect, RTCP sender reports, retransmission history), as for a real browser.
 *
 * <p>Counting costs the bench little: SRTP leaves the RTP header in clear, so every viewer counts
 * packets, sequence gaps (loss) and frames (the marker bit ends a frame, RFC 6184 §5.1) without
 * decrypting. Only one viewer in {@code sampleEvery} decrypts, to read the publisher's wallclock
 * stamp ({@link WallclockSei}) for the latency histogram. Back to the server goes what Chromium
 * sends on a clean link ({@link ViewerFeedback}): transport-cc feedback every 75 ms and a receiver
 * report a second, so the server's CPU per viewer includes its bandwidth estimator (no NACK or
 * PLI: the bench measures the send path, not loss recovery). {@code -Dvireo.bench.noFeedback=true}
 * leaves the feedback out (the bench before it).
 *
 * <p>Threading: the socket's event loop (one of a few shared loops) for everything but the HTTP
 * exchange (the {@link HttpClient}'s threads) and the blocking DTLS handshake (a bounded pool of
 * {@link Shared}, so thousands of viewers do not start handshakes all at once).
 */
public final class WhepViewer extends BaseViewer {

    static final int CONSENT_SECONDS = 5;
    /** Whether viewers send transport-cc feedback and receiver reports (as Chromium does). */
    static final boolean FEEDBACK = !Boolean.getBoolean("vireo.bench.noFeedback");
    private static final int DELETE_THREADS = 8;
    /** A viewer not playing this long after it started is failed (and frees its handshake thread). */
    static final int JOIN_TIMEOUT_SECONDS = 30;
    private static final long CHECK_INTERVAL_MILLIS = 200;
    private static final int MAX_CHECKS = 50;
    /** How long DTLS waits for the server's own check after ours succeeded (when it sends any). */
    private static final long SERVER_CHECK_WAIT_MILLIS = 500;
    /** The SRTP tag assumed until the handshake says which profile the server chose (GCM, offered first). */
    private static final int DEFAULT_TAG_LENGTH = 16;

    /** What every WHEP viewer of a run shares: loops, the HTTP client, the handshake pool, one certificate. */
    public static final class Shared implements AutoCloseable {

        final EventLoopGroup loops;
        final HttpClient http;
        final ExecutorService handshakes;
        /**
         * Sends the DELETEs, a bounded number at once: closing a step's 800 viewers must not open
         * 800 HTTP connections at once, or some DELETEs time out and their sessions live on in
         * the server (sending to a closed port) until consent expires 30 s later.
         */
        final ExecutorService deletes;
        private final AtomicInteger deleteFailures = new AtomicInteger();
        final SecureRandom random = new SecureRandom();
        final DtlsCertificate certificate = DtlsCertificate.generate(random);
        final int sampleEvery;
        /** Whether viewer sockets receive with UDP_GRO. */
        final boolean gro;
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger sampledOpen = new AtomicInteger();
        /** Where join time goes, from the POST: answer received, ICE check answered, SRTP keyed. */
        final LatencyRecorder toAnswer = new LatencyRecorder();
        final LatencyRecorder toIce = new LatencyRecorder();
        final LatencyRecorder toKeys = new LatencyRecorder();
        /** The SRTP protection profiles the servers chose (RFC 5764 §4.1.2), for the join log. */
        final java.util.Set<String> srtpProfiles = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /**
         * @param loops            epoll event loops the viewers' sockets run on
         * @param handshakeThreads DTLS handshakes running at once
         * @param sampleEvery      one viewer in this many decrypts to measure latency (the first always does)
         * @param gro              receive with UDP_GRO
         */
        public Shared(EventLoopGroup loops, int handshakeThreads, int sampleEvery, boolean gro) {
            this.loops = loops;
            this.gro = gro;
            this.sampleEvery = Math.max(1, sampleEvery);
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            AtomicInteger n = new AtomicInteger();
            this.handshakes = Executors.newFixedThreadPool(handshakeThreads,
                    r -> Thread.ofPlatform().daemon().name("whep-dtls-" + n.incrementAndGet()).unstarted(r));
            this.deletes = Executors.newFixedThreadPool(DELETE_THREADS,
                    r -> Thread.ofPlatform().daemon().name("whep-delete-" + n.incrementAndGet()).unstarted(r));
        }

        /**
         * Whether a new viewer decrypts: yes while fewer than one in {@code sampleEvery} open
         * viewers do, so every step, however small, has latency samples.
         */
        private boolean admitSampled() {
            int n = open.incrementAndGet();
            while (true) {
                int s = sampledOpen.get();
                if ((long) s * sampleEvery >= n) {
                    return false;
                }
                if (sampledOpen.compareAndSet(s, s + 1)) {
                    return true;
                }
            }
        }

        private void closed(boolean sampled) {
            open.decrementAndGet();
            if (sampled) {
                sampledOpen.decrementAndGet();
            }
        }

        /** Ends a session on the server (WHEP DELETE, Janus detach); from the delete pool. */
        private void end(RtcSignalling signalling) {
            if (!signalling.end()) {
                deleteFailures.incrementAndGet();
            }
        }

        /** Waits (up to {@code millis}) until every DELETE asked for so far has been sent. */
        public void awaitDeletes(long millis) {
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> { }, deletes);
            try {
                done.get(millis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // measured anyway; the failures are in the join log
            }
        }

        /** "answer p50/p99 a/b ms, ICE c/d, keyed e/f" since the last call. */
        public String joinPhases() {
            LatencyRecorder.LatencySummary a = toAnswer.snapshot();
            LatencyRecorder.LatencySummary i = toIce.snapshot();
            LatencyRecorder.LatencySummary k = toKeys.snapshot();
            String profiles = String.join(",", srtpProfiles);
            srtpProfiles.clear();
            return String.format(java.util.Locale.ROOT,
                    "from the POST (p50/p99 ms): answer %.0f/%.0f, ICE answered %.0f/%.0f, SRTP keyed %.0f/%.0f (%d joins, %s)%s",
                    a.p50Ms(), a.p99Ms(), i.p50Ms(), i.p99Ms(), k.p50Ms(), k.p99Ms(), k.count(), profiles,
                    deleteFailures.get() == 0 ? "" : "; DELETEs failed so far: " + deleteFailures.get());
        }

        @Override
        public void close() {
            awaitDeletes(10_000);
            deletes.shutdownNow();
            handshakes.shutdownNow();
            http.shutdownNow();
        }
    }

    private final Shared shared;
    private final RtcSignalling signalling;
    private final boolean sampled;
    private final IceCredentials credentials;
    private volatile Channel channel;
    private volatile RtcSignalling.Peer answer;
    private volatile InetSocketAddress server;
    private volatile boolean closed;
    private final long postNanos = System.nanoTime();
    /** DTLS records from the server while the handshake runs; null before and after. */
    private volatile QueueDatagramTransport dtlsIn;

    // loop-confined
    private boolean iceDone;
    /** Whether the viewer answered one of the server's own checks (see {@link RtcSignalling#serverChecks()}). */
    private boolean answeredServerCheck;
    private boolean dtlsStarted;
    private int checksSent;
    private SrtpContext inbound;
    private int tagLength = DEFAULT_TAG_LENGTH;
    private final RtpProbe.SequenceGaps videoGaps = new RtpProbe.SequenceGaps();
    private final RtpProbe.SequenceGaps audioGaps = new RtpProbe.SequenceGaps();
    private int frameBytes;
    private long frameStamp = -1;
    private ScheduledFuture<?> consent;
    private long decryptFailures;
    private ViewerFeedback feedback;
    private SrtpContext outbound;
    private ScheduledFuture<?> feedbackTimer;

    private WhepViewer(Shared shared, RtcSignalling signalling, Measurement measurement, boolean sampled) {
        super(new FlowCounters(measurement, sampled));
        this.shared = shared;
        this.signalling = signalling;
        this.sampled = sampled;
        this.credentials = IceCredentials.generate(shared.random);
    }

    /** A WHEP viewer of {@code whepUrl}. */
    public static WhepViewer open(Shared shared, URI whepUrl, Measurement measurement) {
        return open(shared, new WhepSignalling(shared.http, whepUrl, shared.random), measurement);
    }

    /** A viewer of a Janus Streaming mountpoint, signalled through the Janus API session {@code janus}. */
    public static WhepViewer open(Shared shared, JanusApi janus, Measurement measurement) {
        return open(shared, janus.viewer(), measurement);
    }

    /** Binds the viewer's socket and starts signaling; {@link #started()} completes once SRTP is keyed. */
    static WhepViewer open(Shared shared, RtcSignalling signalling, Measurement measurement) {
        boolean sampled = shared.admitSampled();
        WhepViewer v = new WhepViewer(shared, signalling, measurement, sampled);
        v.counters.markOpened(BenchClock.nowNanos());
        // UDP_GRO: a run the server sent with segmentation offload arrives whole and Netty splits it
        // into its packets. On loopback the receiving half of the kernel's work runs in the
        // sender's system calls and is charged to the server; a real viewer's machine does it.
        // Without GRO: recvmmsg, since a keyframe arrives as a burst of datagrams.
        new Bootstrap().group(shared.loops).channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.UDP_GRO, shared.gro)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, shared.gro ? 0 : 1500)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(shared.gro ? 65_536 : 1500 * 8))
                .option(ChannelOption.SO_RCVBUF, 256 << 10)
                .handler(v.new Handler())
                .bind(signalling.bindAddress(), 0)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        v.fail("cannot bind a UDP socket: " + f.cause());
                        return;
                    }
                    v.channel = ((io.netty.channel.ChannelFuture) f).channel();
                    if (v.closed) {
                        v.channel.close();
                        return;
                    }
                    v.post();
                });
        return v;
    }

    private void post() {
        signalling.connect(credentials, shared.certificate.fingerprint(), (InetSocketAddress) channel.localAddress())
                .whenComplete((a, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                fail(cause instanceof IllegalStateException ? cause.getMessage() : "signalling failed: " + cause);
                return;
            }
            shared.toAnswer.recordNanos(System.nanoTime() - postNanos);
            answer = a;
            server = a.address();
            Channel ch = channel;
            ch.eventLoop().execute(this::check);
            ch.eventLoop().schedule(() -> {
                if (!started.isDone()) {
                    fail("not playing " + JOIN_TIMEOUT_SECONDS + " s after the POST");
                }
            }, JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        });
    }

    /** On the loop: a nominating connectivity check, repeated until the server answers. */
    private void check() {
        if (closed || iceDone) {
            return;
        }
        if (++checksSent > MAX_CHECKS) {
            fail("no answer to " + MAX_CHECKS + " STUN connectivity checks");
            return;
        }
        sendBinding(true);
        channel.eventLoop().schedule(this::check, CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sendBinding(boolean useCandidate) {
        RtcSignalling.Peer a = answer;
        byte[] tid = new byte[StunMessage.TRANSACTION_ID_SIZE];
        shared.random.nextBytes(tid);
        ByteBuf req = StunBinding.request(channel.alloc(), tid, a.credentials().ufrag(), credentials.ufrag(),
                a.credentials().pwd(), 0x6e7f00ffL, shared.random.nextLong(), useCandidate);
        channel.writeAndFlush(new DatagramPacket(req, server), channel.voidPromise());
    }

    /**
     * DTLS starts once ICE is connected on both sides: our check answered and, with a server that
     * checks too, one of its checks answered. Janus (libnice) ignores DTLS that arrives before its
     * own check succeeded, and the client's retransmission timer would add a second to the join.
     */
    private void maybeStartDtls() {
        if (!dtlsStarted && iceDone && (answeredServerCheck || !signalling.serverChecks())) {
            dtlsStarted = true;
            startDtls();
        }
    }

    private void startDtls() {
        Channel ch = channel;
        InetSocketAddress to = server;
        RtcSignalling.Peer a = answer;
        // a handshake's flights are a handful of datagrams: 64 never fills
        QueueDatagramTransport transport = new QueueDatagramTransport(64, d ->
                ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(d), to), ch.voidPromise()));
        dtlsIn = transport;
        try {
            shared.handshakes.execute(() -> {
                try {
                    DtlsSrtpClient.Connected c = new DtlsSrtpClient(shared.random, shared.certificate, a.fingerprint(),
                            SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
                            SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80).connect(transport);
                    // the DTLSTransport is dropped: nothing flows over DTLS after the handshake
                    ch.eventLoop().execute(() -> onKeys(c));
                } catch (Exception e) {
                    fail("DTLS handshake failed: " + e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            fail("bench stopping");
        }
    }

    private void onKeys(DtlsSrtpClient.Connected c) {
        dtlsIn = null;
        if (closed) {
            return;
        }
        shared.toKeys.recordNanos(System.nanoTime() - postNanos);
        tagLength = c.keys().profile().rtpTagLength();
        shared.srtpProfiles.add(c.keys().profile().name());
        if (sampled) {
            inbound = c.keys().inbound(false);
        }
        if (FEEDBACK) {
            SrtpContext out = c.keys().outbound(false);
            channel.eventLoop().execute(() -> startFeedback(out));
        }
        started.complete(null);
    }

    /** On the loop: transport-cc feedback and receiver reports from now on, as Chromium sends them. */
    private void startFeedback(SrtpContext out) {
        if (closed) {
            return;
        }
        outbound = out;
        feedback = new ViewerFeedback(shared.random.nextInt());
        feedbackTimer = channel.eventLoop().scheduleAtFixedRate(this::sendFeedback, ViewerFeedback.FEEDBACK_MILLIS,
                ViewerFeedback.FEEDBACK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sendFeedback() {
        InetSocketAddress to = server;
        if (closed || to == null) {
            return;
        }
        ByteBuf rtcp = channel.alloc().heapBuffer(1024);
        try {
            if (!feedback.write(rtcp, System.nanoTime())) {
                rtcp.release();
                return;
            }
            outbound.protectRtcp(rtcp);
        } catch (RuntimeException e) { // an SrtpException among them
            rtcp.release();
            return;
        }
        channel.writeAndFlush(new DatagramPacket(rtcp, to), channel.voidPromise());
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf d = p.content();
            if (!d.isReadable() || closed) {
                return;
            }
            int b0 = d.getUnsignedByte(d.readerIndex());
            if (b0 <= 3) {
                onStun(d, p.sender());
            } else if (b0 >= 20 && b0 <= 63) {
                onDtls(d, b0);
            } else if (b0 >= 128 && b0 <= 191) {
                onMedia(d);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (consent != null) {
                consent.cancel(false);
            }
            if (feedbackTimer != null) {
                feedbackTimer.cancel(false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail("socket error: " + cause);
        }
    }

    /**
     * A connectivity check from the server. An ICE-lite server sends none (RFC 8445 §2.5), but
     * Janus's libnice in lite mode checks the viewer's candidate anyway and nominates only once
     * its own check succeeded, so the viewer answers as a full agent would (RFC 8445 §7.3): a
     * Binding request for our ufrag with integrity under our password gets a success response.
     */
    private void answerCheck(StunMessage m, InetSocketAddress sender) {
        String username = m.username().orElse("");
        if (!m.isBindingRequest() || !username.startsWith(credentials.ufrag() + ":")
                || !m.verifyIntegrity(credentials.pwd().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return; // not for us: dropped, as RFC 8445 §7.3 lets an agent do with unauthenticated checks
        }
        channel.writeAndFlush(new DatagramPacket(
                StunBinding.successResponse(channel.alloc(), m, sender, credentials.pwd()), sender), channel.voidPromise());
        answeredServerCheck = true;
        maybeStartDtls();
    }

    private void onStun(ByteBuf d, InetSocketAddress sender) {
        StunMessage m;
        try {
            m = StunMessage.parse(d);
        } catch (RuntimeException e) {
            return;
        }
        if (m.messageClass() == StunClass.REQUEST) {
            answerCheck(m, sender);
            return;
        }
        if (m.messageClass() == StunClass.SUCCESS_RESPONSE && !iceDone && answer != null) {
            iceDone = true;
            shared.toIce.recordNanos(System.nanoTime() - postNanos);
            // consent (RFC 7675) runs from the first successful check, as in a browser: the
            // server's 30 s starts now, whatever the DTLS handshake's queueing in the bench
            consent = channel.eventLoop().scheduleAtFixedRate(() -> {
                if (!closed) {
                    sendBinding(false);
                }
            }, CONSENT_SECONDS, CONSENT_SECONDS, TimeUnit.SECONDS);
            if (signalling.serverChecks()) {
                // a server whose check never comes still gets its handshake, half a second late
                channel.eventLoop().schedule(() -> {
                    answeredServerCheck = true;
                    maybeStartDtls();
                }, SERVER_CHECK_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            maybeStartDtls();
        } else if (m.messageClass() == StunClass.ERROR_RESPONSE) {
            fail("the server refused a connectivity check");
        }
    }

    private void onDtls(ByteBuf d, int contentType) {
        QueueDatagramTransport q = dtlsIn;
        if (q != null) {
            q.offer(ByteBufUtil.getBytes(d));
        } else if (contentType == 21 && started.isDone()) {
            // an alert after the handshake: close_notify when the server ends the session
            fail("the server sent a DTLS alert (session closed)");
        }
    }

    private void onMedia(ByteBuf d) {
        if (RtpProbe.isRtcp(d)) {
            return; // sender reports: not counted
        }
        int header = RtpProbe.headerLength(d);
        RtcSignalling.Peer a = answer;
        if (header < 0 || a == null) {
            return;
        }
        long now = BenchClock.nowNanos();
        int pt = RtpProbe.payloadType(d);
        ViewerFeedback f = feedback;
        if (f != null) {
            f.onRtp(d, pt == a.videoPt(), System.nanoTime());
        }
        int payload = Math.max(0, d.readableBytes() - header - tagLength);
        if (pt == a.videoPt()) {
            counters.onPackets(now, 1, videoGaps.onPacket(RtpProbe.sequence(d)));
            boolean marker = RtpProbe.marker(d);
            frameBytes += payload;
            SrtpContext in = inbound;
            if (in != null && frameStamp < 0) {
                try {
                    in.unprotectRtp(d);
                    frameStamp = RtpProbe.wallclockStamp(d, d.readerIndex() + header, d.readableBytes() - header);
                } catch (SrtpException e) {
                    decryptFailures++;
                }
            }
            if (marker) {
                if (in != null) {
                    counters.onMedia(now, frameBytes, true, frameStamp);
                } else {
                    counters.onUninspectedFrame(now, frameBytes);
                }
                frameBytes = 0;
                frameStamp = -1;
            }
        } else if (pt == a.audioPt()) {
            counters.onPackets(now, 1, audioGaps.onPacket(RtpProbe.sequence(d)));
            counters.onMedia(now, payload, false, -1);
        }
    }

    private void fail(String reason) {
        failStart(reason);
        close();
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return !closed && ch != null && ch.isActive();
    }

    /** Ends the session: WHEP DELETE (RFC 9725 §4.2) or Janus detach, then the socket closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        QueueDatagramTransport dtls = dtlsIn;
        if (dtls != null) {
            dtls.close(); // a handshake still running fails now instead of at its timeout
        }
        shared.closed(sampled);
        endStart("closed by the bench");
        try {
            shared.deletes.execute(() -> shared.end(signalling));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the bench is stopping: the server goes with it
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }
}
