package dev.vireo.control.model;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A domain's TLS certificate as uploaded and validated (the key matches the leaf, the leaf covers the
 * domain, it was in its validity period when uploaded). For the HTTPS/SNI listener, e.g.
 * {@code SslContextBuilder.forServer(bundle.privateKey(), bundle.chain()).build()}.
 *
 * @param domain the domain it was uploaded for
 * @param chain leaf first, then intermediates as uploaded
 * @param privateKey the leaf's private key (a secret: never logged)
 * @param notAfter end of the leaf's validity
 */
public record CertificateBundle(String domain, List<X509Certificate> chain, PrivateKey privateKey, Instant notAfter) {

    public CertificateBundle {
        Objects.requireNonNull(domain, "domain");
        chain = List.copyOf(chain);
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(notAfter, "notAfter");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate chain is empty");
        }
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    public X509Certificate[] chainArray() {
        return chain.toArray(X509Certificate[]::new);
    }

    @Override
    public String toString() {
        return "CertificateBundle[" + domain + ", " + leaf().getSubjectX500Principal().getName() + ", notAfter="
                + notAfter + "]";
    }
}
