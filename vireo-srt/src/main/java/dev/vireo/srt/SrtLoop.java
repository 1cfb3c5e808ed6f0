package dev.vireo.srt;

import dev.vireo.core.HubException;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import dev.vireo.srt.lib.LibSrt;
import dev.vireo.srt.lib.LibSrtLog;
import dev.vireo.srt.lib.SrtStats;
import dev.vireo.srt.streamid.StreamId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread of an SRT listener: it waits in {@code srt_epoll_uwait}, accepts the handshakes
 * the listen callback admitted, reads publishers' messages into the hub and, being a Netty
 * {@link io.netty.util.concurrent.EventExecutor}, is also the executor of its players (the hub's
 * delivery tasks run here between waits, and the TS bytes go to libsrt from here). Tasks submitted
 * from other threads wait at most {@link #POLL_MS} for the current wait to end.
 *
 * <p>All native buffers (the epoll event array, one receive and one send message buffer, the stats
 * struct) are allocated once per loop: moving data allocates nothing per packet. The listen
 * callback ({@link ListenCallback}) runs on libsrt's thread and talks to this loop only through
 * {@link #pending} and {@link #rejections}.
 */
final class SrtLoop extends SingleThreadEventExecutor {

    private static final Logger log = LoggerFactory.getLogger(SrtLoop.class);

    /** Longest wait in srt_epoll_uwait when no task is queued. */
    static final int POLL_MS = 5;
    private static final int MAX_EVENTS = 64;
    /** Messages read from one publisher per wake-up before the others get their turn. */
    private static final int READ_BUDGET = 256;
    /** A handshake admitted but not accepted within this is dropped (the caller gave up or libsrt refused it). */
    private static final long PENDING_TIMEOUT_NANOS = 10_000_000_000L;
    private static final long HOUSEKEEPING_NANOS = 1_000_000_000L;
    static final int MAX_REJECTIONS_QUEUED = 256;

    /** An admitted handshake waiting for srt_accept. */
    /**
     * @param callbackNanos how long the listen callback took: libsrt answers the handshake after
     *     it returns, so a slow callback delays the connection (logged with the session)
     */
    record Pending(Admission.Accept accept, String peer, long admittedNanos, long callbackNanos) {
    }

    private final LibSrt lib;
    private final SrtConfig config;
    private final StreamHub hub;
    private final int listener;
    private final int eid;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment recvBuf;
    private final ByteBuffer recvView;
    private final MemorySegment sendBuf;
    private final ByteBuffer sendView;
    private final MemorySegment perf;
    private final MemorySegment scratch;
    private final MemorySegment publishEvents;
    private final MemorySegment playEvents;
    private final ByteBuf muxBuffer;
    private final Map<Integer, SrtSession> sessions = new HashMap<>();
    /**
     * The publishers by key, written by the loop, read by the listen callback (libsrt's thread) to
     * tell whether the holder of a key is gone ({@link #holderGone}).
     */
    private final ConcurrentHashMap<StreamKey, SrtPublisher> publishers = new ConcurrentHashMap<>();
    /** A publisher that sent nothing for this long is closed (and may be replaced before that). */
    private final long staleNanos;
    private final AtomicLong sessionCounter = new AtomicLong();
    final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> rejections = new ConcurrentLinkedQueue<>();
    final AtomicInteger rejectionsQueued = new AtomicInteger();
    final SrtCounters counters;
    private volatile List<SrtSessionView> views = List.of();
    private long lastHousekeeping = System.nanoTime();

    SrtLoop(LibSrt lib, SrtConfig config, StreamHub hub, int listener, SrtCounters counters) {
        super(null, new DefaultThreadFactory("vireo-srt", true), false);
        this.lib = lib;
        this.config = config;
        this.hub = hub;
        this.listener = listener;
        this.counters = counters;
        this.staleNanos = staleNanos(config);
        this.eid = lib.epollCreate();
        events = arena.allocate((long) MAX_EVENTS * LibSrt.EPOLL_EVENT_SIZE, 8);
        recvBuf = arena.allocate(1500, 8);
        recvView = recvBuf.asByteBuffer();
        sendBuf = arena.allocate(LibSrt.LIVE_DEFAULT_PAYLOAD, 8);
        sendView = sendBuf.asByteBuffer();
        perf = arena.allocate(SrtStats.SIZE, 8);
        scratch = arena.allocate(16, 8);
        publishEvents = arena.allocateFrom(ValueLayout.JAVA_INT, LibSrt.SRT_EPOLL_IN | LibSrt.SRT_EPOLL_ERR);
        playEvents = arena.allocateFrom(ValueLayout.JAVA_INT, LibSrt.SRT_EPOLL_ERR);
        MemorySegment listenEvents = arena.allocateFrom(ValueLayout.JAVA_INT, LibSrt.SRT_EPOLL_IN | LibSrt.SRT_EPOLL_ERR);
        lib.epollAdd(eid, listener, listenEvents);
        muxBuffer = ByteBufAllocator.DEFAULT.heapBuffer(64 * 1024);
    }

    @Override
    protected void run() {
        try {
            for (;;) {
                poll(hasTasks() ? 0 : POLL_MS);
                runAllTasks();
                long now = System.nanoTime();
                if (now - lastHousekeeping >= HOUSEKEEPING_NANOS) {
                    lastHousekeeping = now;
                    housekeeping(now);
                }
                drainLogs();
                if (confirmShutdown()) {
                    break;
                }
            }
        } finally {
            shutdownSessions();
        }
    }

    private void poll(int timeoutMs) {
        // libsrt returns how many sockets are ready, which may be one more than the array holds
        int n = Math.min(lib.epollUwait(eid, events, MAX_EVENTS, timeoutMs), MAX_EVENTS);
        for (int i = 0; i < n; i++) {
            int sock = events.get(ValueLayout.JAVA_INT, (long) i * LibSrt.EPOLL_EVENT_SIZE);
            int ev = events.get(ValueLayout.JAVA_INT, (long) i * LibSrt.EPOLL_EVENT_SIZE + 4);
            try {
                if (sock == listener) {
                    acceptAll();
                    continue;
                }
                SrtSession s = sessions.get(sock);
                if (s == null) {
                    lib.epollRemove(eid, sock);
                    continue;
                }
                if (s instanceof SrtPublisher p && (ev & LibSrt.SRT_EPOLL_IN) != 0) {
                    read(p);
                }
                // A broken connection reports IN and ERR together: what was readable has been read,
                // the session ends now. libsrt reports it only until it removes the socket (about
                // a second after breaking it, when nothing is left to read); a loop too late for
                // that is caught by housekeeping's state check.
                if ((ev & LibSrt.SRT_EPOLL_ERR) != 0 && sessions.get(sock) == s) {
                    closeSession(s, brokenReason(sock));
                }
            } catch (RuntimeException e) {
                // one session's failure must not stop the loop (and every other session)
                SrtSession s = sessions.get(sock);
                if (s != null) {
                    s.log.warn("unexpected error; closing", e);
                    closeSession(s, "internal error: " + e);
                } else {
                    log.warn("SRT listener: unexpected error on socket {}", sock, e);
                }
            }
        }
    }

    private void acceptAll() {
        for (;;) {
            int s = lib.accept(listener);
            if (s < 0) {
                return;
            }
            accepted(s);
        }
    }

    private void accepted(int s) {
        Pending p = pending.remove(s);
        if (p == null) {
            log.warn("SRT socket {} was accepted without an admission; closing it", s);
            lib.close(s);
            return;
        }
        Admission.Accept a = p.accept();
        String sessionId = "srt-" + sessionCounter.incrementAndGet();
        SessionLog slog = new SessionLog(sessionId, a.key().toString(), p.peer());
        if (sessions.size() >= config.maxSessions()) {
            slog.warn("refusing {}: {} SRT sessions already", p.peer(), sessions.size());
            lib.close(s);
            return;
        }
        boolean publish = a.id().mode() == StreamId.Mode.PUBLISH;
        SrtSession session;
        if (publish) {
            SrtPublisher holder = publishers.get(a.key());
            if (holder != null && sessions.get(holder.socket) == holder && holderGone(holder, System.nanoTime())) {
                closeSession(holder, "replaced by a new publisher from " + p.peer() + ": " + goneReason(holder));
            }
            Publication publication;
            try {
                publication = hub.publish(a.key(), sessionId,
                        reason -> execute(() -> closeSocket(s, "publication revoked: " + reason)));
            } catch (HubException e) {
                slog.warn("closing publisher from {}: {}", p.peer(), e.getMessage());
                lib.close(s);
                return;
            }
            SrtPublisher publisher = new SrtPublisher(s, a.key(), slog, publication, ByteBufAllocator.DEFAULT);
            session = publisher;
            sessions.put(s, session);
            publishers.put(a.key(), publisher);
            lib.epollAdd(eid, s, publishEvents);
        } else {
            SrtPlayer player = new SrtPlayer(s, a.key(), slog, this, hub.config().slowViewerMaxLag().toNanos());
            sessions.put(s, player);
            lib.epollAdd(eid, s, playEvents);
            try {
                Subscription sub = hub.subscribe(a.key(), player);
                player.attach(sub);
            } catch (HubException e) {
                closeSession(player, e.getMessage());
                return;
            }
            session = player;
        }
        counters.accepted(publish);
        slog.info("{} {} from {} (streamid user '{}', {}encrypted; admitted in {} ms, accepted {} ms later)",
                publish ? "publishing" : "playing", a.key(), p.peer(), a.id().user(), a.passphrase().isEmpty() ? "not " : "",
                String.format(java.util.Locale.ROOT, "%.1f", p.callbackNanos() / 1e6),
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - p.admittedNanos()) / 1e6));
        publishViews();
    }

    private void read(SrtPublisher p) {
        for (int i = 0; i < READ_BUDGET; i++) {
            int n = lib.recvmsg(p.socket, recvBuf, (int) recvBuf.byteSize());
            if (n <= 0) {
                // -1 EASYNCRCV: nothing more now. 0: libsrt's answer on a broken connection once its
                // buffer is read; any other error: the connection is unusable.
                if (n < 0 && lib.lastError() != LibSrt.SRT_EASYNCRCV || n == 0 && !connected(p.socket)) {
                    closeSession(p, brokenReason(p.socket));
                }
                return;
            }
            recvView.clear().limit(n);
            p.onMessage(recvView);
            if (!sessions.containsKey(p.socket)) {
                return; // closed while publishing (revoked)
            }
        }
    }

    private boolean connected(int sock) {
        return lib.state(sock) == LibSrt.SRTS_CONNECTED;
    }

    /**
     * A publisher is stale when has sent nothing for {@link #staleNanos}. The SRT peer idle
     * timeout ends a silent connection in libsrt; this bound also ends a connection that stays up
     * without media (an encoder stuck, a peer sending keep-alives only).
     */
    static long staleNanos(SrtConfig config) {
        return Math.max(10_000_000_000L, 2_000_000L * config.peerIdleTimeoutMs());
    }

    /**
     * Whether {@code holder}'s connection is gone (libsrt says broken, closed or unknown) or it is
     * stale: then a new publisher of its key takes its place. Any thread (the listen callback asks).
     */
    boolean holderGone(SrtPublisher holder, long now) {
        return lib.state(holder.socket) != LibSrt.SRTS_CONNECTED || holder.silentNanos(now) > staleNanos;
    }

    /** The SRT publisher of {@code key} on this listener when its connection is gone or stale (any thread). */
    boolean holderGone(StreamKey key) {
        SrtPublisher holder = publishers.get(key);
        return holder != null && holderGone(holder, System.nanoTime());
    }

    private String goneReason(SrtPublisher holder) {
        int state = lib.state(holder.socket);
        return state == LibSrt.SRTS_CONNECTED
                ? "no data for " + holder.silentNanos(System.nanoTime()) / 1_000_000 + " ms"
                : brokenReason(holder.socket);
    }

    /** The loop's buffer a player multiplexes one frame into (cleared). */
    ByteBuf muxBuffer() {
        return muxBuffer.clear();
    }

    /**
     * Sends {@code data} as live-mode messages of {@link LibSrt#LIVE_DEFAULT_PAYLOAD} bytes; returns the
     * bytes libsrt took (fewer when its send buffer is full), or -1 when the connection is gone (the
     * session is closed).
     */
    int send(SrtPlayer player, ByteBuf data) {
        int from = data.readerIndex();
        int end = data.writerIndex();
        int sent = 0;
        while (from < end) {
            int len = Math.min(LibSrt.LIVE_DEFAULT_PAYLOAD, end - from);
            sendView.clear().limit(len);
            data.getBytes(from, sendView);
            if (lib.sendmsg(player.socket, sendBuf, len) < 0) {
                int err = lib.lastError();
                if (err == LibSrt.SRT_EASYNCSND) {
                    return sent;
                }
                closeSession(player, brokenReason(player.socket));
                return -1;
            }
            from += len;
            sent += len;
        }
        return sent;
    }

    int sendBufferPackets(int socket) {
        return lib.sendBufferPackets(socket, scratch);
    }

    private String brokenReason(int sock) {
        int state = lib.state(sock);
        return switch (state) {
            case LibSrt.SRTS_BROKEN -> "connection broken (peer closed, or silent for "
                    + config.peerIdleTimeoutMs() + " ms)";
            case LibSrt.SRTS_CLOSING, LibSrt.SRTS_CLOSED -> "peer closed the connection";
            case LibSrt.SRTS_NONEXIST -> "connection gone (libsrt already removed it: broken or closed while"
                    + " this loop was busy)";
            default -> "connection error: " + lib.lastErrorString();
        };
    }

    private void closeSocket(int sock, String reason) {
        SrtSession s = sessions.get(sock);
        if (s != null) {
            closeSession(s, reason);
        }
    }

    /** Ends a session: detaches it from the hub, closes its socket, logs why once. On the loop. */
    void closeSession(SrtSession s, String reason) {
        if (sessions.remove(s.socket) != s) {
            return;
        }
        if (s instanceof SrtPublisher p) {
            publishers.remove(p.key, p);
        }
        refreshStats(s);
        lib.epollRemove(eid, s.socket);
        lib.close(s.socket);
        s.release();
        SrtStats st = s.stats;
        s.log.info("closing {} session from {}: {} ({}{})", s.role(), s.log.peer(), reason, s.summary(),
                st == null ? "" : String.format(", rtt %.1f ms, %d lost, %d retransmitted, %d dropped",
                        st.rttMs(), st.receiveLoss() + st.sendLoss(),
                        st.retransmitted() + st.retransmittedReceived(), st.receiveDropped() + st.sendDropped()));
        publishViews();
    }

    private void refreshStats(SrtSession s) {
        if (lib.bstats(s.socket, perf)) {
            SrtStats now = SrtStats.read(perf);
            counters.sampled(s.stats, now);
            s.stats = now;
        }
    }

    private void housekeeping(long now) {
        for (SrtSession s : sessions.values()) {
            refreshStats(s);
        }
        for (SrtSession s : new ArrayList<>(sessions.values())) {
            try {
                if (s instanceof SrtPublisher p && p.revoked()) {
                    closeSession(p, "publication revoked");
                } else if (!connected(s.socket)) {
                    // The epoll event of a broken connection was missed (libsrt drops it with the socket):
                    // no session outlives its connection.
                    closeSession(s, brokenReason(s.socket));
                } else if (s instanceof SrtPublisher p && p.silentNanos(now) > staleNanos) {
                    closeSession(p, "no data for " + p.silentNanos(now) / 1_000_000 + " ms");
                }
            } catch (RuntimeException e) {
                // one session's failure must not end the loop, and with it every SRT session
                log.warn("SRT session on socket {}: housekeeping failed", s.socket, e);
            }
        }
        pending.forEach((sock, p) -> {
            if (now - p.admittedNanos() > PENDING_TIMEOUT_NANOS && pending.remove(sock, p)) {
                log.info("SRT handshake from {} for {} was admitted but never completed (the caller gave up, or"
                        + " libsrt refused it: e.g. a wrong or missing passphrase, see its log line)",
                        p.peer(), p.accept().key());
            }
        });
        publishViews();
    }

    private void drainLogs() {
        for (String r = rejections.poll(); r != null; r = rejections.poll()) {
            rejectionsQueued.decrementAndGet();
            log.warn(r);
        }
        for (String line = LibSrtLog.poll(); line != null; line = LibSrtLog.poll()) {
            log.warn("libsrt: {}", line);
        }
    }

    private void publishViews() {
        List<SrtSessionView> v = new ArrayList<>(sessions.size());
        for (SrtSession s : sessions.values()) {
            v.add(SrtSessionView.of(s));
        }
        views = List.copyOf(v);
    }

    /** The sockets of the current sessions (tests; on the loop). */
    List<Integer> sessionSockets() {
        return List.copyOf(sessions.keySet());
    }

    /** libsrt's state of {@code sock} ({@code SRTS_*}; tests). */
    int socketState(int sock) {
        return lib.state(sock);
    }

    /** The sessions as last published (any thread). */
    Collection<SrtSessionView> views() {
        return views;
    }

    private void shutdownSessions() {
        for (SrtSession s : new ArrayList<>(sessions.values())) {
            closeSession(s, "server shutting down");
        }
        drainLogs();
        lib.epollRemove(eid, listener);
        lib.close(listener);
        lib.epollRelease(eid);
        muxBuffer.release();
        pending.clear();
        // the native buffers stay until the arena is closed by the server, after this thread ended
    }

    /** Frees the native buffers; only after the loop has terminated. */
    void freeNative() {
        arena.close();
    }

    @Override
    protected void wakeup(boolean inEventLoop) {
        // srt_epoll_uwait cannot be interrupted: a task waits for the current wait (≤ POLL_MS) to end
    }
}
