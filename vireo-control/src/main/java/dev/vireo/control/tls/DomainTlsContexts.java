package dev.vireo.control.tls;

import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ControlSnapshot;
import dev.vireo.http.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener's certificates: one server {@link SslContext} (JDK provider) per domain with an
 * uploaded certificate, looked up by SNI host through {@link ControlSnapshot#certificateFor(String)}.
 * Contexts are cached and rebuilt when the domain's certificate changes (another chain or key);
 * a deleted certificate (or domain) is dropped. Non-blocking apart from building a context once per
 * uploaded certificate.
 */
public final class DomainTlsContexts implements TlsContexts {

    private static final Logger log = LoggerFactory.getLogger(DomainTlsContexts.class);

    private record Cached(CertificateBundle bundle, SslContext context) {
    }

    private final Function<String, Optional<CertificateBundle>> certificates;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    public DomainTlsContexts(ControlSnapshot control) {
        this(control::certificateFor);
    }

    /** @param certificates the certificate for an SNI host (as {@link ControlSnapshot#certificateFor}) */
    public DomainTlsContexts(Function<String, Optional<CertificateBundle>> certificates) {
        this.certificates = certificates;
    }

    @Override
    public Optional<SslContext> forHost(String sniHost) {
        Optional<CertificateBundle> found = sniHost == null ? Optional.empty() : certificates.apply(sniHost);
        if (found.isEmpty()) {
            if (sniHost != null) {
                String h = sniHost.trim().toLowerCase(Locale.ROOT);
                cache.remove(h.endsWith(".") ? h.substring(0, h.length() - 1) : h);
            }
            return Optional.empty();
        }
        CertificateBundle bundle = found.get();
        String key = bundle.domain();
        Cached cached = cache.get(key);
        if (cached != null && sameCertificate(cached.bundle(), bundle)) {
            return Optional.of(cached.context());
        }
        try {
            SslContext context = SslContextBuilder.forServer(bundle.privateKey(), bundle.chain())
                    .sslProvider(SslProvider.JDK)
                    .applicationProtocolConfig(TlsContexts.ALPN) // HTTP/2 when the client offers it
                    .build();
            cache.put(key, new Cached(bundle, context));
            log.debug("TLS context built for {} ({})", key, bundle);
            return Optional.of(context);
        } catch (SSLException | RuntimeException e) {
            // The bundle's toString names the subject and expiry only, never the key.
            log.warn("cannot use the certificate of {} ({}): {}", key, bundle, e.toString());
            cache.remove(key);
            return Optional.empty();
        }
    }

    /** Number of cached contexts (for tests and metrics). */
    public int cachedCount() {
        return cache.size();
    }

    private static boolean sameCertificate(CertificateBundle a, CertificateBundle b) {
        // X509Certificate and PrivateKey compare their encodings.
        return a == b || a.chain().equals(b.chain()) && a.privateKey().equals(b.privateKey());
    }
}
