package dev.vireo.http;

import io.netty.handler.ssl.SslContext;
import java.util.Optional;

/**
 * Where an HTTPS listener finds the server certificate for a client's SNI host name. Called on an
 * event loop for every TLS handshake: it must not block (answer from memory or a cache).
 */
@FunctionalInterface
public interface TlsContexts {

    /**
     * @param sniHost the host name the client asked for (SNI), or null when it sent none
     * @return the server context to complete the handshake with; empty refuses the handshake
     */
    Optional<SslContext> forHost(String sniHost);
}
