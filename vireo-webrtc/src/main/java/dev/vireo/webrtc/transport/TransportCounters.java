package dev.vireo.webrtc.transport;

import dev.vireo.webrtc.stun.IceCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters of the shared media port, in the registry as {@code vireo.webrtc.packets.dropped}
 * (tagged by reason) and {@code vireo.webrtc.packets.in}: what arrived and what was dropped
 * without reaching a session. Dropping is always cheap and never touches another session.
 */
public final class TransportCounters {

    public final Counter packetsIn;
    /** From an address no valid connectivity check has bound, or a check for an unknown ufrag. */
    public final Counter unknownSource;
    /** Not STUN/DTLS/RTP/RTCP, or a STUN message that does not parse. */
    public final Counter malformed;
    /** A connectivity check that failed validation (integrity, missing USERNAME, ...). */
    public final Counter badCheck;
    /** SRTCP that failed authentication, was replayed, or arrived before the keys. */
    public final Counter srtcpRejected;
    /** Traffic a send-only session does not expect (RTP from the browser, STUN responses). */
    public final Counter unexpected;
    /** DTLS datagrams dropped because the handshake thread's queue was full. */
    public final Counter dtlsOverflow;
    /** Errors the media socket reported: failed sends (a vanished peer, ICMP unreachable, refused offload). */
    public final Counter socketErrors;
    /** Sessions refused because the port had its configured maximum. */
    public final Counter sessionsRefused;

    public TransportCounters(MeterRegistry registry) {
        packetsIn = Counter.builder("vireo.webrtc.packets.in").description("datagrams received on the media port")
                .register(registry);
        unknownSource = dropped(registry, "unknown-source");
        malformed = dropped(registry, "malformed");
        badCheck = dropped(registry, "bad-check");
        srtcpRejected = dropped(registry, "srtcp-rejected");
        unexpected = dropped(registry, "unexpected");
        dtlsOverflow = dropped(registry, "dtls-overflow");
        sessionsRefused = Counter.builder("vireo.webrtc.sessions.refused")
                .description("WebRTC sessions refused at the configured maximum").register(registry);
        socketErrors = Counter.builder("vireo.webrtc.socket.errors")
                .description("errors on the media port's sockets, mostly failed sends").register(registry);
    }

    /** Counts a connectivity check that was not accepted: a malformed one, or one that failed validation. */
    public void check(IceCheck outcome) {
        switch (outcome) {
            case ACCEPT -> {
            }
            case DISCARD -> malformed.increment();
            default -> badCheck.increment();
        }
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("vireo.webrtc.packets.dropped").tag("reason", reason)
                .description("datagrams on the media port dropped before reaching a session").register(registry);
    }
}
