package dev.vireo.http.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;

/**
 * Where an HTTPS listener finds the server certificate for a client's SNI host name. Called on an
 * event loop for every TLS handshake: it must not block (answer from memory or a cache).
 */
@FunctionalInterface
public interface TlsContexts {

    /**
     * ALPN (RFC 7301) for the contexts an HTTPS listener uses: HTTP/2 first, HTTP/1.1 for the
     * others (a client that offers neither gets HTTP/1.1). Build server contexts with it.
     */
    ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    /**
     * @param sniHost the host name the client asked for (SNI), or null when it sent none
     * @return the server context to complete the handshake with; empty refuses the handshake
     */
    Optional<SslContext> forHost(String sniHost);
}
