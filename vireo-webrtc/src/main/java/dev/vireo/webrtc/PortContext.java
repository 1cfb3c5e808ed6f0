package dev.vireo.webrtc;

import dev.vireo.webrtc.dtls.DtlsEndpoint;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.ice.IceLiteAgent;
import dev.vireo.webrtc.transport.SessionTable;
import dev.vireo.webrtc.transport.TransportCounters;
import dev.vireo.webrtc.transport.TransportPeer;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * What every transport of the shared port uses and the {@link WebRtcServer} owns: the session
 * table, the port's counters, the DTLS certificate and the timeouts. Handed to each
 * {@link RtcTransport} at creation, so a transport never calls back into the server.
 */
record PortContext(SessionTable table, TransportCounters counters, DtlsEndpoint.Context dtls,
                   Duration consentTimeout, Duration handshakeTimeout, SecureRandom random) {

    /** Fresh ICE credentials whose ufrag no other session uses, registered for {@code peer}. */
    IceCredentials register(TransportPeer peer) {
        while (true) {
            IceCredentials c = IceCredentials.generate(random);
            if (table.addUfrag(c.ufrag(), peer)) {
                return c;
            }
        }
    }

    /** Where {@code peer}'s ICE agent binds its addresses and ufrags: this port's session table. */
    IceLiteAgent.Bindings bindings(TransportPeer peer) {
        return new IceLiteAgent.Bindings() {
            @Override
            public void bind(InetSocketAddress address) {
                table.bind(address, peer);
            }

            @Override
            public void unbind(InetSocketAddress address) {
                table.unbind(address, peer);
            }

            @Override
            public void forgetUfrag(String ufrag) {
                table.removeUfrag(ufrag, peer);
            }

            @Override
            public IceCredentials fresh() {
                return register(peer);
            }
        };
    }
}
