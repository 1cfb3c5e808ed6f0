package dev.vireo.control.access;

import dev.vireo.control.model.ClusterView;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.DomainName;
import dev.vireo.core.Gate;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.Locale;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The control plane's access decisions, from the in-memory {@link ControlState} only (never blocks):
 * <ol>
 *   <li>No domain configured: everything is allowed on the default vhost (zero-config), except
 *       forbidden streams.</li>
 *   <li>The domain is the request's host; when that is an IP address, empty or "localhost", a
 *       {@code vhost=} (or {@code domain=}) query parameter names it. An unknown or offline domain is
 *       refused.</li>
 *   <li>Publishing needs an ingest domain; playback a streaming domain (a sub-streaming domain goes
 *       through its main domain), which maps to its associated ingest domain: the stream key's vhost
 *       is always the ingest domain, so app and stream names must match. RTS (WebRTC) playback
 *       needs RTS enabled on the streaming domain.</li>
 *   <li>URL signing (Type A) of the domain addressed, when on ({@link UrlSigning}).</li>
 *   <li>Publishing: not a forbidden stream, and below the ingest domain's live stream limit.</li>
 * </ol>
 * Decisions are made once, at admission: a connection accepted before its URL expires is never cut
 * by the expiry.
 */
public final class DomainGate implements Gate {

    /** Protocols that are "RTS" playback (WebRTC), switched by the streaming domain's RTS setting. */
    static final Set<String> RTS_PROTOCOLS = Set.of("whep", "rts", "artc", "webrtc");

    private final Supplier<ControlState> state;
    private final StreamHub hub;
    private final Clock clock;
    private final AuthThrottle throttle;
    private final LongAdder signatureRefusals = new LongAdder();
    private final LongAdder capRefusals = new LongAdder();

    private final boolean defaultVhost;
    private final Duration futureSkew;
    /** The other nodes' streams, when this node is one of a cluster; null alone. */
    private volatile ClusterView cluster;

    /**
     * @param defaultVhost whether a request that names no configured domain is served on the
     *     default vhost also once domains exist
     * @param futureSkew how far in the future a Type A timestamp may lie; null for one validity period
     */
    public DomainGate(Supplier<ControlState> state, StreamHub hub, Clock clock, AuthThrottle throttle, boolean defaultVhost,
               Duration futureSkew) {
        this.state = state;
        this.hub = hub;
        this.clock = clock;
        this.throttle = throttle;
        this.defaultVhost = defaultVhost;
        this.futureSkew = futureSkew;
    }

    public void cluster(ClusterView view) {
        cluster = view;
    }

    /** Requests refused for their signature (missing, malformed, expired, future, wrong). */
    public long signatureRefusals() {
        return signatureRefusals.sum();
    }

    /** Publishers refused for their domain's live stream limit. */
    public long capRefusals() {
        return capRefusals.sum();
    }

    @Override
    public Verdict admit(AccessRequest r) {
        ControlState s = state.get();
        Instant now = clock.instant();
        if (s.zeroConfig()) {
            return onDefaultVhost(s, r, now);
        }
        String host = hostOf(r);
        Domain d = s.domain(host);
        if (d == null) {
            if (defaultVhost) {
                return onDefaultVhost(s, r, now);
            }
            return deny("domain " + shown(host) + " is not configured on this server");
        }
        if (!d.isOnline()) {
            return deny("domain " + d.name() + " is offline");
        }
        Domain ingest;
        if (r.action() == Action.PUBLISH) {
            if (!d.isIngest()) {
                return deny("domain " + d.name() + " is a streaming domain: publish to an ingest domain");
            }
            ingest = d;
        } else {
            if (d.isIngest()) {
                return deny("domain " + d.name() + " is an ingest domain: play from a streaming domain associated with it");
            }
            if (r.protocol() != null && RTS_PROTOCOLS.contains(r.protocol().toLowerCase(Locale.ROOT)) && !d.rtsEnabled()) {
                return deny("RTS is not enabled on domain " + d.name());
            }
            Domain main = d.mainDomain() == null ? d : s.domain(d.mainDomain());
            if (main == null || !main.isOnline()) {
                return deny("the main streaming domain of " + d.name() + " is offline");
            }
            ingest = s.ingestOf(d);
            if (ingest == null) {
                return deny("streaming domain " + d.name() + " is not associated with an ingest domain");
            }
            if (!ingest.isOnline()) {
                return deny("ingest domain " + ingest.name() + " is offline");
            }
        }
        String uri = "/" + r.app() + "/" + r.stream() + (r.extension() == null ? "" : r.extension());
        if (d.signing().enabled()) {
            Duration wait = throttle.blocked(r.clientAddress());
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                return new Deny(429, "too many failed signature checks from this address; retry in " + seconds + " s",
                        seconds);
            }
        }
        long maxFuture = futureSkew == null ? d.signing().validityMinutes() * 60L : futureSkew.toSeconds();
        Optional<String> refusal = UrlSigning.refusal(d.signing(), uri, r.query(), now.getEpochSecond(), maxFuture);
        if (refusal.isPresent()) {
            signatureRefusals.increment();
            if (refusal.get().startsWith(UrlSigning.INVALID)) {
                throttle.failed(r.clientAddress(), AuthThrottle.Kind.SIGNATURE);
            }
            return deny(refusal.get());
        }
        StreamKey key = new StreamKey(ingest.name(), r.app(), r.stream());
        if (r.action() == Action.PLAY) {
            return new Allow(key);
        }
        Verdict notForbidden = checkNotForbidden(s, key, now);
        if (notForbidden instanceof Deny) {
            return notForbidden;
        }
        if (liveStreams(ingest.name(), key) >= ingest.streamLimit()) {
            capRefusals.increment();
            return deny("domain " + ingest.name() + " has reached its limit of " + ingest.streamLimit() + " live streams");
        }
        return notForbidden;
    }

    /**
     * Live streams of ingest domain {@code vhost} but {@code key}: this node's, and in a cluster
     * those other nodes publish (a key counts once wherever it is, e.g. an edge's relayed copy).
     */
    private int liveStreams(String vhost, StreamKey key) {
        Set<StreamKey> live = new HashSet<>();
        for (Stream stream : hub.streams()) {
            if (stream.key().vhost().equals(vhost) && stream.isLive()) {
                live.add(stream.key());
            }
        }
        ClusterView c = cluster;
        if (c != null) {
            for (ClusterView.RemoteStream r : c.remoteStreams()) {
                if (r.key().vhost().equals(vhost)) {
                    live.add(r.key());
                }
            }
        }
        live.remove(key);
        return live.size();
    }

    /** The zero-config vhost: everything allowed but forbidden streams. */
    private static Verdict onDefaultVhost(ControlState s, AccessRequest r, Instant now) {
        StreamKey key = new StreamKey(StreamKey.DEFAULT_VHOST, r.app(), r.stream());
        return r.action() == Action.PUBLISH ? checkNotForbidden(s, key, now) : new Allow(key);
    }

    private static Verdict checkNotForbidden(ControlState s, StreamKey key, Instant now) {
        Instant until = s.forbiddenUntil(key, now);
        if (until == null) {
            return new Allow(key);
        }
        return deny("stream " + key.path() + " is forbidden" + (until.equals(Instant.MAX) ? "" : " until " + until));
    }

    /** The domain a request names: its host, or for an IP/empty host the {@code vhost=} parameter. */
    public static String hostOf(AccessRequest r) {
        String host = normalize(r.host());
        if (host.isEmpty() || host.equals("localhost") || isIpLiteral(host)) {
            String named = QueryString.first(r.query(), "vhost");
            if (named == null || named.isEmpty()) {
                named = QueryString.first(r.query(), "domain");
            }
            if (named != null && !named.isEmpty()) {
                return normalize(named);
            }
        }
        return host;
    }

    private static String normalize(String host) {
        String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    /** The host as it may appear in a refusal (it comes from the client). */
    private static String shown(String host) {
        if (host.isEmpty()) {
            return "(none)";
        }
        if (host.length() > DomainName.MAX_LENGTH || !host.chars().allMatch(c -> c >= 'a' && c <= 'z'
                || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '_')) {
            return "(invalid name)";
        }
        return host;
    }

    private static Deny deny(String reason) {
        return new Deny(403, reason);
    }
}
