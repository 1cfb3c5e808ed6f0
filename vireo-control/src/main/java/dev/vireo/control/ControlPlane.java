package dev.vireo.control;

import dev.vireo.control.access.ApiKeyUsage;
import dev.vireo.control.api.ApiKeysApi;

import dev.vireo.control.access.AccountService;
import dev.vireo.control.access.AuthKey;
import dev.vireo.control.access.AuthThrottle;
import dev.vireo.control.access.DomainGate;
import dev.vireo.control.access.QueryString;
import dev.vireo.control.access.UrlSigning;
import dev.vireo.control.api.AccountsApi;
import dev.vireo.control.api.Api;
import dev.vireo.control.api.ClusterApi;
import dev.vireo.control.api.DiagnoseApi;
import dev.vireo.control.api.DomainsApi;
import dev.vireo.control.api.OpenApiEndpoint;
import dev.vireo.control.api.RecordingsApi;
import dev.vireo.control.api.StreamsControlApi;
import dev.vireo.control.api.TemplatesApi;
import dev.vireo.control.api.UrlsApi;
import dev.vireo.control.diagnose.Finding;
import dev.vireo.control.domains.CnameVerifier;
import dev.vireo.control.domains.DomainService;
import dev.vireo.control.events.StreamEvents;
import dev.vireo.control.hooks.EventNotifier;
import dev.vireo.control.hooks.WebhookEvent;
import dev.vireo.control.hooks.Webhooks;
import dev.vireo.control.model.CertificateBundle;
import dev.vireo.control.model.ClusterView;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.model.ControlSnapshot;
import dev.vireo.control.model.ControlState;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.DomainInfo;
import dev.vireo.control.model.RecordRule;
import dev.vireo.control.model.Template;
import dev.vireo.control.model.TemplateInfo;
import dev.vireo.control.outbound.OutboundHttp;
import dev.vireo.control.outbound.OutboundPolicy;
import dev.vireo.control.record.RecordRules;
import dev.vireo.control.record.RecordingAccess;
import dev.vireo.control.store.Database;
import dev.vireo.control.store.ForbiddenStore;
import dev.vireo.control.store.Registry;
import dev.vireo.control.streams.StreamControl;
import dev.vireo.core.Gate;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.http.routing.Router;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane: accounts, domains, URL signing, stream control, webhooks, the store and the
 * REST API. The server wires it in a few lines:
 * <pre>{@code
 * ControlPlane control = ControlPlane.open(controlConfig, hub);   // opens the store, listens to the hub
 * control.generatedAdminKey().ifPresent(k -> System.out.println("Admin API key (shown once): " + k));
 * Gate gate = control.gate();                                    // for every protocol adapter
 * control.mount(router);                                         // /api/v1/... routes
 * ...
 * control.close();                                               // after the listeners stopped
 * }</pre>
 */
public final class ControlPlane implements AutoCloseable, ControlSnapshot {

    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    private final ControlConfig config;
    private final StreamHub hub;
    private final Clock clock;
    private final Database db;
    private final Registry registry;
    private final DomainService domains;
    private final AccountService accounts;
    private final StreamControl streams;
    private final RecordRules recordRules;
    private volatile RecordingAccess recordings = RecordingAccess.NONE;
    private final Optional<String> generatedAdminKey;
    private final EventLoopGroup group;
    private final DnsAddressResolverGroup resolvers;
    private final CnameVerifier cnames;
    private final Webhooks webhooks;
    private final EventNotifier events;
    private final ExecutorService blocking;
    private final DomainGate gate;
    /** Recent publishes, unpublishes and refusals per stream, for the troubleshooter. */
    private final StreamEvents streamEvents;
    /** {@link #gate} with its refusals recorded in {@link #streamEvents}. */
    private final Gate recordingGate;
    /** The troubleshooter's WebRTC checks (candidates, STUN answer); none until the server sets them. */
    private volatile Supplier<List<Finding>> rtcCheck = List::of;
    private final AuthThrottle throttle = new AuthThrottle(AuthThrottle.Policy.defaults());
    private volatile Api api;
    private volatile ClusterView cluster;
    private final ScheduledFuture<?> refresher;
    private volatile boolean closed;

    private ControlPlane(ControlConfig config, StreamHub hub, Clock clock, Database db) {
        this.config = config;
        this.hub = hub;
        this.clock = clock;
        this.db = db;
        registry = new Registry(db, clock);
        accounts = new AccountService(db, registry, clock);
        domains = new DomainService(db, registry, config, clock);
        streams = new StreamControl(db, registry, domains, hub, clock);
        recordRules = new RecordRules(db, registry, domains, clock);
        recordRules.reload();
        generatedAdminKey = accounts.bootstrap(config.adminKey());
        blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("vireo-control-", 0).factory());
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vireo-control-io", true),
                NioIoHandler.newFactory());
        resolvers = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(DnsServerAddressStreamProviders.platformDefault()));
        cnames = new CnameVerifier(group.next(), config.dnsServer(), config.dnsTimeout());
        webhooks = new Webhooks(new OutboundHttp(group, NioSocketChannel.class, resolvers,
                OutboundPolicy.of(config.webhooks().allow())), group.next(),
                config.webhooks(), clock);
        gate = new DomainGate(registry::state, hub, clock, throttle, config.defaultVhost(), config.signingFutureSkew());
        streamEvents = new StreamEvents(clock);
        hub.addListener(streamEvents);
        recordingGate = streamEvents.recording(gate, DomainGate::hostOf);
        domains.onFirstDomain(this::firstDomainAdded);
        events = new EventNotifier(registry::state, webhooks, hub, clock);
        hub.addListener(events);
        long every = config.refreshInterval().toMillis();
        refresher = every == 0 ? null : group.next().scheduleAtFixedRate(
                () -> blocking.execute(this::refresh), every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store (creating or migrating it), makes sure an admin account exists, loads the
     * domains into memory and starts listening to the hub's events for webhooks.
     *
     * @throws IllegalStateException when the store cannot be opened or migrated; the message says why
     */
    public static ControlPlane open(ControlConfig config, StreamHub hub) {
        return open(config, hub, Clock.systemUTC());
    }

    static ControlPlane open(ControlConfig config, StreamHub hub, Clock clock) {
        Database db = Database.open(config);
        try {
            ControlPlane cp = new ControlPlane(config, hub, clock, db);
            log.info("control plane ready: {} domains, {}", cp.registry.state().domains().size(), config);
            return cp;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The Gate every protocol adapter asks; non-blocking. With no domain configured it allows everything. */
    public Gate gate() {
        return recordingGate;
    }

    /**
     * Registers the REST API under {@code /api/v1/} (every route but the OpenAPI document needs an
     * API key), including {@code GET /api/v1/streams}.
     */
    public void mount(Router router) {
        Api api = new Api(registry::state, blocking, throttle);
        this.api = api;
        api.onKeyUsed(new ApiKeyUsage(db, blocking, clock)::used);
        TemplatesApi templates = new TemplatesApi(api, db, registry, clock);
        new OpenApiEndpoint().mount(router);
        new AccountsApi(api, accounts).mount(router);
        new ApiKeysApi(api, db, registry).mount(router);
        new DomainsApi(api, domains, registry::state, cnames, config.dnsTimeout(), hub).mount(router);
        new StreamsControlApi(api, streams).mount(router);
        new UrlsApi(api, domains, templates, registry::state, config.endpoints(), clock).mount(router);
        templates.mount(router);
        new DiagnoseApi(api, registry::state, hub, clock, streamEvents, () -> rtcCheck.get()).mount(router);
        new RecordingsApi(api, recordRules, () -> recordings).mount(router);
        new ClusterApi(api, () -> cluster).mount(router);
    }

    /**
     * Makes this node one of a cluster (issue 19): the stream limit per ingest domain counts the
     * streams {@code view} says other nodes publish, {@code GET /api/v1/streams} lists them with
     * their node, a forbid reaches the node that publishes the stream, and
     * {@code /api/v1/cluster/...} shows the registry. Call before the listeners start.
     */
    public void withCluster(ClusterView view) {
        cluster = view;
        gate.cluster(view);
        streams.cluster(view);
    }

    /**
     * Runs {@code listener} after every change made through this node's API is in force here
     * (domains, keys, templates, bans, accounts), on the API's thread: the cluster tells the other
     * nodes to {@link #reloadFromStore()}.
     */
    public void onConfigChanged(Runnable listener) {
        registry.onChange(listener);
    }

    /**
     * Reloads the in-memory configuration from the store now (another node changed it). Blocks:
     * call off the event loops. On a store failure the cached configuration stays in force and the
     * answer is false (logged).
     */
    public boolean reloadFromStore() {
        if (closed) {
            return false;
        }
        try {
            registry.refreshFromStore();
            recordRules.reload();
            return true;
        } catch (RuntimeException e) {
            log.warn("control store reload failed, the cached configuration stays in force: {}", e.getMessage());
            return false;
        }
    }

    /**
     * The certificate uploaded for {@code sniHost} (exact name, case-insensitive, trailing dot
     * ignored), for the HTTPS listener's SNI mapping. Non-blocking. Expired certificates are still
     * returned (check {@link CertificateBundle#notAfter()}) so the listener can decide.
     */
    @Override
    public Optional<CertificateBundle> certificateFor(String sniHost) {
        if (sniHost == null) {
            return Optional.empty();
        }
        String h = sniHost.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return Optional.ofNullable(registry.state().certificates().get(h));
    }

    /** A configured domain, for other modules (e.g. whether HTML5 transcoding is on). Non-blocking. */
    @Override
    public Optional<DomainInfo> domain(String name) {
        ControlState s = registry.state();
        Domain d = s.domain(name == null ? null : name.toLowerCase(Locale.ROOT));
        if (d == null) {
            return Optional.empty();
        }
        Domain ingest = s.ingestOf(d);
        return Optional.of(new DomainInfo(d.name(), d.type().wire(), ingest == null ? null : ingest.name(),
                d.isOnline(), d.rtsEnabled(), d.html5Transcoding()));
    }

    /**
     * The SRT passphrase of ingest domain {@code vhost} set through the API, if any. From the
     * in-memory snapshot: non-blocking, safe on libsrt's listen-callback thread. A secret: never log it.
     */
    @Override
    public Optional<String> srtPassphrase(String vhost) {
        return vhost == null ? Optional.empty() : Optional.ofNullable(registry.state().srtPassphrases().get(vhost));
    }

    /**
     * Adds a section to streams in {@code GET /api/v1/streams}: {@code details} returns the
     * {@code transcode} object of a stream (serialized to JSON as it is), or null for none. Called
     * off the event loops, once per stream listed; must be quick.
     */
    public void withStreamDetails(Function<StreamKey, Object> details) {
        streams.details(details);
    }

    /**
     * The WebRTC part of {@code POST /api/v1/diagnose} for RTS/WHEP/WHIP URLs: the ICE candidates a
     * browser gets and whether the media port answers STUN. Runs on the API's virtual thread (may block ~1 s).
     */
    public void withRtcCheck(Supplier<List<Finding>> check) {
        this.rtcCheck = check;
    }

    /**
     * Viewer counts of protocols that are not hub subscribers (HLS sessions), merged into
     * {@code viewersByProtocol} of {@code GET /api/v1/streams}. Must be quick.
     */
    public void withExtraViewers(Function<StreamKey, java.util.Map<String, Integer>> counts) {
        streams.extraViewers(counts);
    }

    /**
     * The source of {@code GET /api/v1/streams/{d}/{a}/{s}/snapshot.jpg} (the console's thumbnails,
     * authorised by the API key rather than a signed URL): a JPEG, or empty when there is none yet.
     */
    public void withSnapshots(Function<StreamKey, java.util.concurrent.CompletionStage<Optional<byte[]>>> source) {
        streams.snapshots(source);
    }

    /**
     * Adds the {@code srt} section to streams in {@code GET /api/v1/streams}: {@code sessions}
     * returns the stream's SRT sessions with their statistics (serialized to JSON as it is), or null
     * when none. Called off the event loops, once per stream listed; must be quick.
     */
    public void withSrtDetails(Function<StreamKey, Object> sessions) {
        streams.srt(sessions);
    }

    /**
     * Adds the {@code webrtc} section to streams in {@code GET /api/v1/streams}: {@code sessions}
     * returns the stream's WHEP viewer sessions with their statistics (serialized to JSON as it is),
     * or null when none. Called off the event loops, once per stream listed; must be quick.
     */
    public void withWebRtcDetails(Function<StreamKey, Object> sessions) {
        streams.webrtc(sessions);
    }

    /**
     * The streaming domain a playback request names when that domain has HTML5 auto transcoding
     * switched off (WebRTC viewers then get the stream as it is); empty when it is on, and in the
     * zero-config mode. The domain is found as the gate finds it. Non-blocking.
     */
    @Override
    public Optional<String> html5TranscodingOff(Gate.AccessRequest request) {
        ControlState s = registry.state();
        if (s.zeroConfig()) {
            return Optional.empty();
        }
        Domain d = s.domain(DomainGate.hostOf(request));
        return d != null && !d.html5Transcoding() ? Optional.of(d.name()) : Optional.empty();
    }

    /**
     * The ABR ladder (template ids, highest first) of the streaming domain a playback request
     * names; empty without one and in the zero-config mode. Non-blocking.
     */
    public java.util.List<String> abrLadder(Gate.AccessRequest request) {
        ControlState s = registry.state();
        if (s.zeroConfig()) {
            return java.util.List.of();
        }
        Domain d = s.domain(DomainGate.hostOf(request));
        return d == null ? java.util.List.of() : d.abrLadder();
    }

    /**
     * Whether browsers play streams of ingest domain {@code vhost} over WebRTC through the HTML5
     * variant: some streaming domain associated with it has RTS and HTML5 transcoding on (always in
     * the zero-config mode). Non-blocking.
     */
    @Override
    public boolean browserVariantWanted(String vhost) {
        ControlState s = registry.state();
        if (s.zeroConfig()) {
            return true;
        }
        for (Domain d : s.playDomainsOf(vhost)) {
            if (d.isOnline() && d.rtsEnabled() && d.html5Transcoding()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Transcoding template {@code id} of the account that owns {@code vhost} (an ingest domain's
     * name, or {@link StreamKey#DEFAULT_VHOST} for the zero-config vhost, which
     * belongs to the admin). From memory: non-blocking, for event loops.
     */
    @Override
    public Optional<TemplateInfo> template(String vhost, String id) {
        Template t = registry.state().template(vhost, id);
        return t == null ? Optional.empty() : Optional.of(new TemplateInfo(t.id(), t.videoCodec(), t.width(),
                t.height(), t.fps(), t.videoBitrateKbps(), t.gop(), t.audioCodec(), t.audioBitrateKbps()));
    }

    /**
     * Every transcoding template of the account that owns {@code vhost} (an ingest domain, or the
     * zero-config vhost: the admin's), by id. From memory: non-blocking.
     */
    @Override
    public java.util.List<TemplateInfo> templates(String vhost) {
        ControlState s = registry.state();
        long account;
        if (StreamKey.DEFAULT_VHOST.equals(vhost)) {
            account = s.defaultAccount();
        } else {
            Domain d = s.domain(vhost);
            if (d == null) {
                return java.util.List.of();
            }
            account = d.accountId();
        }
        java.util.Map<String, Template> ofAccount = s.templates().getOrDefault(account, java.util.Map.of());
        return ofAccount.keySet().stream().sorted()
                .map(id -> template(vhost, id).orElseThrow()).toList();
    }

    /**
     * The Type A {@code auth_key} for {@code uri} with the timestamp, rand and uid of the key that
     * {@code admitted} (a request the gate allowed) carried, signed with the domain's primary key:
     * a URL derived from a signed one (a master playlist's variants) expires with it. Empty when
     * the request's domain does not sign or the request had no key. The key itself never leaves.
     */
    @Override
    public Optional<String> resign(Gate.AccessRequest admitted, String uri) {
        ControlState s = registry.state();
        Domain d = s.domain(DomainGate.hostOf(admitted));
        if (d == null || !d.signing().enabled()) {
            return Optional.empty();
        }
        String value = QueryString.first(admitted.query() == null ? "" : admitted.query(), "auth_key");
        AuthKey key = value == null || value.isEmpty() ? null : AuthKey.parse(value);
        if (key == null) {
            return Optional.empty();
        }
        return Optional.of(UrlSigning.authKey(uri, key.timestampSeconds(), key.rand(), key.uid(),
                d.signing().primaryKey()));
    }

    /**
     * Runs {@code listener} whenever templates changed (created or deleted through the API, or
     * by another node, seen at the periodic reload); on a control-plane thread, never an event loop.
     */
    public void onTemplatesChanged(Runnable listener) {
        registry.onTemplatesChanged(listener);
    }

    /**
     * The admin API key created by this start, present only on the first start without
     * {@code VIREO_ADMIN_KEY}: print it once (it is not stored, only its hash) and never log it.
     */
    public Optional<String> generatedAdminKey() {
        return generatedAdminKey;
    }

    /**
     * The first domain changes what the default vhost is: with {@code default-vhost} on it stays
     * served (say so: its streams stay public and unsigned); off, its publishers are ended with the
     * reason, rather than pushing on to nobody.
     */
    private void firstDomainAdded(String domain) {
        if (config.defaultVhost()) {
            log.warn("domain {} added: the default vhost is still served (default-vhost on): streams on hosts that"
                    + " name no configured domain (e.g. rtmp://IP/live/x) stay public and unsigned; set default-vhost"
                    + " off (VIREO_DEFAULT_VHOST=off) to serve configured domains only", domain);
            return;
        }
        String reason = "the default vhost is off now that domain " + domain + " is configured";
        int ended = 0;
        for (var s : hub.streams()) {
            if (s.key().vhost().equals(StreamKey.DEFAULT_VHOST) && !s.isDerived()) {
                hub.kick(s.key(), reason);
                ended++;
            }
        }
        log.warn("domain {} added: the default vhost is no longer served (default-vhost off); {} publisher(s) on it"
                + " ended", domain, ended);
    }

    /** Failed admin API key checks (a key was sent and matched none). */
    public long apiKeyFailures() {
        return throttle.apiKeyFailures();
    }

    /** Wrong Type A hashes (the refusals that are guesses). */
    public long signatureFailures() {
        return throttle.signatureFailures();
    }

    /** Attempts refused because their address failed too often ({@code 429}). */
    public long authThrottled() {
        return throttle.throttled();
    }

    /** Requests refused for their Type A signature: missing, malformed, expired, future or wrong. */
    public long signatureRefusals() {
        return gate.signatureRefusals();
    }

    /** Refusals for a cap: a domain's live stream limit, API requests in flight. */
    public long capRefusals() {
        Api a = api;
        return gate.capRefusals() + (a == null ? 0 : a.refusedBusy());
    }

    /**
     * A recording file is finished: the {@code record_done} webhook of the stream's ingest domain
     * (when it has a notify URL). Never blocks.
     *
     * @param file the file's path under the recordings directory
     */
    public void recordDone(StreamKey key, String file, long bytes, long durationMillis, String reason) {
        events.recordDone(key, new WebhookEvent.Recording(file, bytes, durationMillis, reason));
    }

    /**
     * The recording rule {@code key} follows (its most specific rule of the admin API), if any; a
     * disabled rule means "not recorded". From memory: non-blocking, for event loops.
     */
    @Override
    public Optional<RecordRule> recordRule(StreamKey key) {
        return recordRules.ruleFor(key);
    }

    /**
     * Runs {@code listener} whenever recording rules changed (through the API, or by another node,
     * seen at the periodic reload); on a control-plane thread, never an event loop.
     */
    public void onRecordRulesChanged(Runnable listener) {
        recordRules.onChange(listener);
    }

    /** The recording files behind {@code /api/v1/recordings} (list, download, delete). */
    public void withRecordings(RecordingAccess access) {
        this.recordings = access;
    }

    /** Webhook events waiting or in flight (for tests and diagnostics). */
    public int pendingWebhooks() {
        return webhooks.pending();
    }

    /** Reloads from the store (other nodes' changes) and drops bans that have ended. */
    void refresh() {
        if (closed) {
            return;
        }
        try {
            int purged = db.transaction(c -> ForbiddenStore.purgeEnded(c, Instant.ofEpochMilli(clock.millis())));
            registry.refreshFromStore();
            recordRules.reload();
            if (purged > 0) {
                log.debug("{} stream bans ended", purged);
            }
        } catch (RuntimeException e) {
            log.warn("control store refresh failed: {}", e.getMessage());
        }
    }

    /** Stops webhooks, the API's workers, DNS and the store. Call after the listeners stopped. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (refresher != null) {
            refresher.cancel(false);
        }
        webhooks.close();
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(5, TimeUnit.SECONDS)) {
                blocking.shutdownNow();
            }
        } catch (InterruptedException e) {
            blocking.shutdownNow();
            Thread.currentThread().interrupt();
        }
        cnames.close();
        resolvers.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        db.close();
    }
}
