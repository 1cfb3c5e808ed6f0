package dev.vireo.control.diagnose;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the troubleshooter may know about the control plane: domains as the gate sees them and
 * the outcome of a signature check. Never a key: a check says which URI a hash was made for, not
 * with what.
 */
public interface Facts {

    /** No domain configured: everything publishes and plays on the default vhost. */
    boolean zeroConfig();

    /** The domain a request on {@code host} with {@code query} names (as the gate finds it), or null. */
    String domainName(String host, String query);

    Optional<DomainFacts> domain(String name);

    /**
     * The Type A check of {@code query}'s auth_key for {@code uri} on domain {@code name}; when the
     * hash does not match, {@code alternatives} are the URIs it is tried against to say what it was
     * signed for.
     */
    SignatureCheck checkSignature(String name, String uri, List<String> alternatives, String query, long nowSeconds);

    /**
     * @param ingestDomain for a streaming domain the ingest domain it plays (through its main domain), else null
     * @param streamingDomains for an ingest domain the streaming domains associated with it
     */
    record DomainFacts(String name, boolean ingest, boolean online, boolean rtsEnabled, boolean html5Transcoding,
                       String ingestDomain, boolean ingestOnline, List<String> streamingDomains) {
    }

    /** The outcome of a signature check. */
    sealed interface SignatureCheck {
    }

    /** The domain does not sign URLs. */
    record NotRequired() implements SignatureCheck {
    }

    record Missing() implements SignatureCheck {
    }

    record Malformed() implements SignatureCheck {
    }

    record Expired(Instant signedAt, Instant expiredAt, int validityMinutes) implements SignatureCheck {
    }

    /** @param signedFor the alternative URI the hash matches, or null when none does (another key, a typo) */
    record Mismatch(String signedFor) implements SignatureCheck {
    }

    record Valid(Instant expiresAt) implements SignatureCheck {
    }
}
