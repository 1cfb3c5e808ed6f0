package dev.vireo.webrtc.transport;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a datagram on the shared port finds its session: a connectivity check by the local ufrag in
 * its USERNAME (RFC 8445 §7.3), everything else (DTLS, SRTP, SRTCP) by the source address that a
 * valid check has bound to the session. Lock-free lookups from any event loop.
 */
public final class SessionTable {

    private final ConcurrentHashMap<String, TransportPeer> byUfrag = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, TransportPeer> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TransportPeer, Boolean> all = new ConcurrentHashMap<>();

    /** Registers a local ufrag; false when another session already uses it. */
    public boolean addUfrag(String ufrag, TransportPeer transport) {
        if (byUfrag.putIfAbsent(ufrag, transport) != null) {
            return false;
        }
        all.put(transport, Boolean.TRUE);
        return true;
    }

    public TransportPeer byUfrag(String ufrag) {
        return byUfrag.get(ufrag);
    }

    public void removeUfrag(String ufrag, TransportPeer transport) {
        byUfrag.remove(ufrag, transport);
    }

    /** Binds a source address to a session (the latest valid check wins). */
    public void bind(InetSocketAddress address, TransportPeer transport) {
        byAddress.put(address, transport);
    }

    /** Unbinds an address if it is still bound to {@code transport}. */
    public void unbind(InetSocketAddress address, TransportPeer transport) {
        byAddress.remove(address, transport);
    }

    public TransportPeer byAddress(InetSocketAddress address) {
        return byAddress.get(address);
    }

    /** Forgets a session: its ufrags and the addresses still bound to it. */
    public void remove(TransportPeer transport, Collection<String> ufrags, Collection<InetSocketAddress> addresses) {
        for (String u : ufrags) {
            byUfrag.remove(u, transport);
        }
        for (InetSocketAddress a : addresses) {
            byAddress.remove(a, transport);
        }
        all.remove(transport);
    }

    public int size() {
        return all.size();
    }

    public Collection<TransportPeer> transports() {
        return all.keySet();
    }
}
