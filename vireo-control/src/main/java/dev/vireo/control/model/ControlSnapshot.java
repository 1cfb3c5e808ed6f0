package dev.vireo.control.model;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import java.util.List;
import java.util.Optional;

/**
 * What the media side reads of the control plane's configuration (domains, transcoding templates,
 * signing, certificates, SRT passphrases, recording rules): the transcoder, HLS, SRT, the HTTPS
 * listener, the recorder and the WebRTC wiring read it through this interface alone, never through
 * the store. Every answer comes from the in-memory state that the control plane swaps whole after
 * each change (its own API, another node, the periodic reload): non-blocking, safe on event loops
 * and on libsrt's callback thread. Implemented by {@code ControlPlane}; a test can hand a fake.
 */
public interface ControlSnapshot {

    /** A configured domain (e.g. whether HTML5 transcoding is on), by name, case-insensitive. */
    Optional<DomainInfo> domain(String name);

    /**
     * The certificate uploaded for {@code sniHost} (exact name, case-insensitive, trailing dot
     * ignored), for the HTTPS listener's SNI mapping; expired ones too (check
     * {@link CertificateBundle#notAfter()}).
     */
    Optional<CertificateBundle> certificateFor(String sniHost);

    /** The SRT passphrase of ingest domain {@code vhost}, if one was set. A secret: never log it. */
    Optional<String> srtPassphrase(String vhost);

    /**
     * The streaming domain a playback request names when that domain has HTML5 auto transcoding
     * off (WebRTC viewers then get the stream as it is); empty when it is on, and in the zero-config mode.
     */
    Optional<String> html5TranscodingOff(Gate.AccessRequest request);

    /**
     * Whether browsers play streams of ingest domain {@code vhost} over WebRTC through the HTML5
     * variant (some associated streaming domain has RTS and HTML5 transcoding on; always in the
     * zero-config mode).
     */
    boolean browserVariantWanted(String vhost);

    /**
     * Transcoding template {@code id} of the account that owns {@code vhost} (an ingest domain, or
     * {@link StreamKey#DEFAULT_VHOST}: the admin's).
     */
    Optional<TemplateInfo> template(String vhost, String id);

    /** Every transcoding template of the account that owns {@code vhost}, sorted by id. */
    List<TemplateInfo> templates(String vhost);

    /**
     * The Type A {@code auth_key} for {@code uri} with the timestamp, rand and uid of the key that
     * {@code admitted} (a request the gate allowed) carried, signed with its domain's primary key;
     * empty when the domain does not sign or the request had no key.
     */
    Optional<String> resign(Gate.AccessRequest admitted, String uri);

    /** The recording rule {@code key} follows (its most specific one), if any; a disabled rule means "not recorded". */
    Optional<RecordRule> recordRule(StreamKey key);
}
