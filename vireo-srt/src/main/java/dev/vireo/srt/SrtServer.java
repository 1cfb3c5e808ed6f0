package dev.vireo.srt;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.srt.lib.LibSrt;
import dev.vireo.srt.lib.SrtException;
import dev.vireo.srt.lib.SrtUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SRT ingest and playback: one libsrt listener socket (live mode, non-blocking) on a UDP port, its
 * listen callback deciding each handshake ({@link ListenCallback}, {@link Admission}) and its one
 * thread ({@link SrtLoop}) moving data to and from the hub. Without libsrt 1.5 on the machine the
 * server logs a warning at start and SRT is off; everything else runs.
 */
public final class SrtServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SrtServer.class);

    private final SrtConfig config;
    private final StreamHub hub;
    private final Gate gate;
    private final SrtCounters counters = new SrtCounters();
    private Function<StreamKey, String> passphrases;
    private Predicate<StreamKey> elsewhere = key -> false;
    private SrtLoop loop;
    private Arena upcalls;
    private int port = -1;
    private boolean closed;

    public SrtServer(SrtConfig config, StreamHub hub, Gate gate) {
        this.config = config;
        this.hub = hub;
        this.gate = gate;
        this.passphrases = key -> config.passphrase();
    }

    /**
     * Another source of passphrases (per domain or per stream; "" for none): asked in libsrt's
     * listen callback, so it must answer from memory without blocking. The default is
     * {@link SrtConfig#passphrase()} for every stream.
     */
    public SrtServer withPassphrases(Function<StreamKey, String> source) {
        this.passphrases = source;
        return this;
    }

    /**
     * Keys another node of the cluster publishes (an edge pulls them when played): asked in libsrt's
     * listen callback, so it must answer from memory without blocking. Without it an SRT player of a
     * key not live on this node is refused (1404) at the handshake.
     */
    public SrtServer withPublishedElsewhere(Predicate<StreamKey> elsewhere) {
        this.elsewhere = elsewhere;
        return this;
    }

    /**
     * Binds the listener and starts its thread.
     *
     * @return the bound UDP port, or -1 when SRT is off because libsrt is missing (logged)
     * @throws IllegalStateException when the port cannot be bound
     */
    public synchronized int start() {
        LibSrt lib;
        try {
            lib = LibSrt.get();
        } catch (SrtUnavailableException e) {
            log.warn("SRT disabled: {}", e.getMessage());
            return -1;
        }
        lib.startup();
        int sock = lib.createSocket();
        try {
            lib.setInt(sock, LibSrt.SRTO_TRANSTYPE, LibSrt.SRTT_LIVE);
            lib.setInt(sock, LibSrt.SRTO_RCVSYN, 0);
            lib.setInt(sock, LibSrt.SRTO_SNDSYN, 0);
            lib.setInt(sock, LibSrt.SRTO_LATENCY, config.latencyMs());
            lib.setInt(sock, LibSrt.SRTO_PEERIDLETIMEO, config.peerIdleTimeoutMs());
            lib.setInt(sock, LibSrt.SRTO_PAYLOADSIZE, LibSrt.LIVE_DEFAULT_PAYLOAD);
            lib.bind(sock, new InetSocketAddress(config.bind(), config.port()));
            port = lib.localAddress(sock).getPort();
            SrtLoop l = new SrtLoop(lib, config, hub, sock, counters);
            upcalls = Arena.ofShared();
            MemorySegment stub = LibSrt.listenCallbackStub(
                    new ListenCallback(lib, new Admission(gate, hub, key -> passphrases.apply(key), elsewhere, l::holderGone), l,
                            config.maxPendingHandshakes()), upcalls);
            lib.listenCallback(sock, stub);
            lib.listen(sock, 128);
            loop = l;
            loop.execute(() -> { }); // starts the thread
        } catch (SrtException e) {
            lib.close(sock);
            lib.cleanup();
            throw new IllegalStateException("cannot listen for SRT on " + config.bind() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        log.info("SRT listening on UDP {}:{} (libsrt {} from {}, latency {} ms, {})", config.bind(), port,
                lib.version(), lib.libraryName(), config.latencyMs(),
                config.passphrase().isEmpty() ? "no default passphrase" : "default passphrase set");
        return port;
    }

    /** The loop's thread as an executor (tests hold it busy to play a starved thread). */
    SrtLoop loopForTests() {
        return loop;
    }

    /** The bound port, -1 when not listening. */
    public int port() {
        return port;
    }

    /** True once listening (libsrt present and the port bound). */
    public boolean enabled() {
        return loop != null;
    }

    /** Current sessions with their libsrt statistics. */
    public Collection<SrtSessionView> sessions() {
        SrtLoop l = loop;
        return l == null ? List.of() : l.views();
    }

    public long publishersAccepted() {
        return counters.publishers();
    }

    public long playersAccepted() {
        return counters.players();
    }

    public long handshakesRejected() {
        return counters.rejected();
    }

    /** Retransmitted packets sent (to players) and received (from publishers), ended sessions included. */
    public long packetsRetransmitted() {
        return counters.retransmitted();
    }

    /** Packets libsrt found lost (receive gaps plus losses peers reported), ended sessions included. */
    public long packetsLost() {
        return counters.lost();
    }

    /** Packets dropped as too late to play (unrecovered loss), ended sessions included. */
    public long packetsDropped() {
        return counters.dropped();
    }

    /**
     * Closes every session and the listener. Call after {@code hub.close()} (so viewers got their
     * end of stream). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (loop.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
                loop.freeNative();
                // ends libsrt's threads when this was its last user: they are attached to the JVM (upcalls)
                // and would keep it from exiting. The upcall stub stays (global arena).
                LibSrt.get().cleanup();
            }
        }
    }
}
