package dev.vireo.srt;

/**
 * The SRT listener's settings.
 *
 * @param bind address to bind ("0.0.0.0" for all)
 * @param port UDP port; 0 for an ephemeral one (logged)
 * @param latencyMs TSBPD latency both ways ({@code SRTO_LATENCY}), what a caller that asks for less
 *     gets; the larger of both sides wins (SRT handshake)
 * @param passphrase the passphrase of every stream with none of its own ("" = no encryption);
 *     10 to 79 characters ({@code SRTO_PASSPHRASE})
 * @param maxPendingHandshakes admitted handshakes not yet accepted (a flood past it is refused
 *     with {@code SRT_REJX_OVERLOAD})
 * @param maxSessions connected SRT sessions at once
 * @param peerIdleTimeoutMs a connection silent this long is broken ({@code SRTO_PEERIDLETIMEO})
 */
public record SrtConfig(String bind, int port, int latencyMs, String passphrase, int maxPendingHandshakes,
                        int maxSessions, int peerIdleTimeoutMs) {

    public static final int DEFAULT_PORT = 10080;
    public static final int DEFAULT_LATENCY_MS = 120;

    public SrtConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("SRT port " + port);
        }
        if (latencyMs < 0 || latencyMs > 60_000) {
            throw new IllegalArgumentException("SRT latency " + latencyMs + " ms is outside 0..60000");
        }
        checkPassphrase(passphrase);
    }

    /** libsrt takes passphrases of 10 to 79 characters; "" means none. */
    public static String checkPassphrase(String p) {
        if (p == null || !p.isEmpty() && (p.length() < 10 || p.length() > 79)) {
            throw new IllegalArgumentException("an SRT passphrase has 10 to 79 characters (or is empty for none)");
        }
        return p;
    }

    public static SrtConfig defaults() {
        return new SrtConfig("0.0.0.0", DEFAULT_PORT, DEFAULT_LATENCY_MS, "", 1024, 1000, 5000);
    }

    public SrtConfig withBind(String address, int p) {
        return new SrtConfig(address, p, latencyMs, passphrase, maxPendingHandshakes, maxSessions, peerIdleTimeoutMs);
    }

    public SrtConfig withLatency(int ms) {
        return new SrtConfig(bind, port, ms, passphrase, maxPendingHandshakes, maxSessions, peerIdleTimeoutMs);
    }

    /** The same with another {@code SRTO_PEERIDLETIMEO} (default 5000 ms). */
    public SrtConfig withPeerIdleTimeout(int ms) {
        if (ms < 1000) {
            throw new IllegalArgumentException("SRT peer idle timeout " + ms + " ms is below 1000");
        }
        return new SrtConfig(bind, port, latencyMs, passphrase, maxPendingHandshakes, maxSessions, ms);
    }

    public SrtConfig withPassphrase(String p) {
        return new SrtConfig(bind, port, latencyMs, p, maxPendingHandshakes, maxSessions, peerIdleTimeoutMs);
    }
}
