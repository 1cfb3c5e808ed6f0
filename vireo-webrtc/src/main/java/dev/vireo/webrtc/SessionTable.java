package dev.vireo.webrtc;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a datagram on the shared port finds its session: a connectivity check by the local ufrag in
 * its USERNAME (RFC 8445 §7.3), everything else (DTLS, SRTP, SRTCP) by the source address that a
 * valid check has bound to the session. Lock-free lookups from any event loop.
 */
final class SessionTable {

    private final ConcurrentHashMap<String, RtcTransport> byUfrag = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, RtcTransport> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RtcTransport, Boolean> all = new ConcurrentHashMap<>();

    /** Registers a local ufrag; false when another session already uses it. */
    boolean addUfrag(String ufrag, RtcTransport transport) {
        if (byUfrag.putIfAbsent(ufrag, transport) != null) {
            return false;
        }
        all.put(transport, Boolean.TRUE);
        return true;
    }

    RtcTransport byUfrag(String ufrag) {
        return byUfrag.get(ufrag);
    }

    void removeUfrag(String ufrag, RtcTransport transport) {
        byUfrag.remove(ufrag, transport);
    }

    /** Binds a source address to a session (the latest valid check wins). */
    void bind(InetSocketAddress address, RtcTransport transport) {
        byAddress.put(address, transport);
    }

    /** Unbinds an address if it is still bound to {@code transport}. */
    void unbind(InetSocketAddress address, RtcTransport transport) {
        byAddress.remove(address, transport);
    }

    RtcTransport byAddress(InetSocketAddress address) {
        return byAddress.get(address);
    }

    /** Forgets a session: its ufrags and the addresses still bound to it. */
    void remove(RtcTransport transport, Collection<String> ufrags, Collection<InetSocketAddress> addresses) {
        for (String u : ufrags) {
            byUfrag.remove(u, transport);
        }
        for (InetSocketAddress a : addresses) {
            byAddress.remove(a, transport);
        }
        all.remove(transport);
    }

    int size() {
        return all.size();
    }

    Collection<RtcTransport> transports() {
        return all.keySet();
    }
}
