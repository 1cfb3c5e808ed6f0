package dev.vireo.http.hls;

import dev.vireo.core.Gate;
import dev.vireo.core.HubException;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.http.routing.Reply;
import dev.vireo.http.routing.RequestContext;
import dev.vireo.http.routing.Response;
import dev.vireo.http.routing.Router;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * HLS playback over HTTP, served from memory by one {@link Segmenter} per stream:
 * <ul>
 *   <li>{@code GET /{app}/{stream}.m3u8}: classic HLS, MPEG-TS segments
 *       ({@code /{app}/{stream}/s{msn}.ts});</li>
 *   <li>{@code GET /{app}/{stream}/llhls.m3u8}: LL-HLS, fMP4 ({@code init{n}.mp4},
 *       {@code s{msn}.m4s}, parts {@code p{msn}_{i}.m4s}), with blocking playlist reload
 *       ({@code _HLS_msn}/{@code _HLS_part}), delta updates ({@code _HLS_skip}) and preload
 *       hints.</li>
 * </ul>
 * A playlist request is admitted by the {@link Gate} as any play request (Type A
 * {@code auth_key} over the playlist's URI); the segment, part and init URLs in the playlist carry
 * a short-lived session token instead ({@link SessionTokens}), so they need neither the domain
 * key nor per-viewer state. Waiting requests hold no thread: they are parked futures
 * ({@link Waiters}) answered by the segmenter.
 */
public final class HlsPlayback {

    static final String PROTOCOL = "hls";
    static final String TOKEN = "hls_token";
    static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
    /** How long a first playlist request waits for the first segment or part. */
    private static final long FIRST_CONTENT_WAIT_MILLIS = 15_000;

    private final Gate gate;
    private final HlsConfig config;
    private final Segmenters segmenters;
    private final SessionTokens tokens;
    private final Clock clock;
    private final ViewerSessions viewers;
    private final Counter bytesOut;
    private final Counter playlists;
    private final Counter blockedReloads;
    private final MasterEndpoint master;

    public HlsPlayback(StreamHub hub, Gate gate, HlsConfig config, MeterRegistry registry) {
        this(hub, gate, config, registry, randomSecret(), Clock.systemUTC());
    }

    HlsPlayback(StreamHub hub, Gate gate, HlsConfig config, MeterRegistry registry, byte[] secret, Clock clock) {
        this.gate = gate;
        this.config = config;
        this.clock = clock;
        this.segmenters = new Segmenters(hub, config);
        this.master = new MasterEndpoint(hub, gate);
        this.tokens = new SessionTokens(secret, config.tokenTtl().toSeconds());
        this.viewers = new ViewerSessions(java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
        this.bytesOut = Counter.builder("vireo.egress.bytes").baseUnit("bytes").tag("protocol", PROTOCOL)
                .description("media bytes sent to viewers").register(registry);
        this.playlists = Counter.builder("vireo.hls.playlists").description("HLS playlists served").register(registry);
        this.blockedReloads = Counter.builder("vireo.hls.blocking.reloads")
                .description("LL-HLS playlist requests that waited for a segment or part").register(registry);
        Gauge.builder("vireo.hls.viewers", viewers, v -> v.active(System.nanoTime()))
                .description("HLS viewers: distinct session tokens seen in the last 30 s").register(registry);
        Gauge.builder("vireo.hls.segmenters", segmenters, Segmenters::count)
                .description("streams being packaged for HLS").register(registry);
    }

    private static byte[] randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** HLS viewers of {@code key}: distinct sessions that asked for it in the last 30 s. */
    public int viewers(StreamKey key) {
        return viewers.active(key, System.nanoTime());
    }

    public void mount(Router router) {
        router.get("/{app}/{stream}.m3u8", r -> playlist(r, false));
        router.get("/{app}/{stream}/llhls.m3u8", r -> playlist(r, true));
        router.get("/{app}/{stream}/master.m3u8", master::get);
        router.get("/{app}/{stream}/{file}.ts", r -> resource(r, "ts"));
        router.get("/{app}/{stream}/{file}.m4s", r -> resource(r, "m4s"));
        router.get("/{app}/{stream}/{file}.mp4", r -> resource(r, "mp4"));
    }

    /** Where the master playlist finds a stream's renditions (its domain's transcoding templates). */
    public void withRenditions(Renditions renditions) {
        master.renditions(renditions);
    }

    /** The running segmenters (tests, diagnostics). */
    Segmenters segmenters() {
        return segmenters;
    }

    /** Stops every segmenter (server shutdown). */
    public void close() {
        segmenters.stopAll();
    }

    // ---- playlists ----

    private Reply playlist(RequestContext rq, boolean lowLatency) {
        String app = rq.param("app");
        String name = rq.param("stream");
        Gate.Verdict verdict = gate.admit(new Gate.AccessRequest(Gate.Action.PLAY, PROTOCOL, rq.host(), app, name,
                lowLatency ? "/llhls.m3u8" : ".m3u8", rq.rawQuery(), rq.clientAddress()));
        StreamKey key;
        switch (verdict) {
            case Gate.Deny deny -> {
                return Response.denied(deny);
            }
            case Gate.Allow allow -> key = allow.key();
        }
        DeliveryDirectives directives = DeliveryDirectives.NONE;
        if (lowLatency) {
            try {
                directives = DeliveryDirectives.parse(rq.query("_HLS_msn"), rq.query("_HLS_part"), rq.query("_HLS_skip"));
            } catch (DeliveryDirectives.Invalid e) {
                return Response.error(400, "BadRequest", e.getMessage());
            }
        }
        Segmenter s;
        try {
            s = segmenters.obtain(key, rq.channel().eventLoop());
        } catch (HubException e) {
            return switch (e.reason()) {
                case SHUTTING_DOWN, CLUSTER_UNAVAILABLE -> Response.error(503, "ServiceUnavailable", e.getMessage());
                default -> Response.error(404, "StreamNotFound", e.getMessage());
            };
        }
        s.touch();
        String sid = tokens.sessionId(key, rq.clientAddress(), rq.query("auth_key"));
        viewers.seen(key, sid, System.nanoTime());
        String token = tokens.mint(key, sid, clock.instant().getEpochSecond());
        boolean skip = directives.skip();
        SegmentUris uris = lowLatency ? fmp4Uris(token) : tsUris(name, token);
        Function<Timeline, Response> answer = t -> {
            if (!lowLatency && !t.playlistSegments().isEmpty() && t.playlistSegments().getLast().ts() == null) {
                return Response.error(404, "NotInMpegTs", "the codecs of " + key.path()
                        + " cannot be carried in MPEG-TS: play " + key.path() + "/llhls.m3u8");
            }
            playlists.increment();
            return Response.text(200, PLAYLIST_TYPE, lowLatency ? PlaylistWriter.lowLatency(t, uris, skip)
                            : PlaylistWriter.classic(t, uris))
                    .header(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        };
        Timeline now = s.timeline();
        long waitMillis;
        Predicate<Timeline> ready;
        String timeoutReason;
        if (directives.blocking()) {
            String far = directives.tooFarAhead(now);
            if (far != null) {
                return Response.error(400, "BadRequest", far); // §6.2.5.2
            }
            long msn = directives.msn();
            int part = directives.part();
            ready = part >= 0 ? t -> t.hasPart(msn, part) : t -> t.hasSegment(msn);
            // §6.2.5.2: after three Target Durations, Service Unavailable
            waitMillis = 3L * now.targetDuration() * 1000;
            timeoutReason = "segment " + msn + (part >= 0 ? " part " + part : "") + " did not come within "
                    + waitMillis + " ms";
            if (!ready.test(now)) {
                blockedReloads.increment();
            }
        } else {
            // a first playlist lists at least one complete segment: players that ignore parts
            // (ffmpeg, older ones) need one to start
            ready = Timeline::hasContent;
            waitMillis = FIRST_CONTENT_WAIT_MILLIS;
            timeoutReason = "no segment of " + key.path() + " yet";
        }
        if (ready.test(now)) {
            return answer.apply(now);
        }
        CompletableFuture<Response> later = s.waiters.park(ready, answer, s::timeline, waitMillis, rq.channel().eventLoop(),
                () -> Response.error(503, "ServiceUnavailable", timeoutReason).header(HttpHeaderNames.RETRY_AFTER, 1));
        if (later == null) {
            return Response.error(503, "ServiceUnavailable", "too many waiting requests on " + key.path())
                    .header(HttpHeaderNames.RETRY_AFTER, 1);
        }
        // Answered is accessed too: the idle time of a viewer that waited (for its first segment, a
        // part) starts when it got its playlist, not when it asked (it stopped a segmenter whose
        // first viewer had waited most of the idle timeout right after answering it)
        later.whenComplete((r, e) -> s.touch());
        return Reply.later(later);
    }

    private static SegmentUris tsUris(String stream, String token) {
        String dir = pathSegment(stream) + "/";
        String q = "?" + TOKEN + "=" + token;
        return new SegmentUris() {
            public String init(int initId) {
                throw new IllegalStateException("MPEG-TS has no initialization segment");
            }

            public String segment(long msn) {
                return dir + "s" + msn + ".ts" + q;
            }

            public String part(long msn, int index) {
                throw new IllegalStateException("classic HLS has no parts");
            }
        };
    }

    private static SegmentUris fmp4Uris(String token) {
        String q = "?" + TOKEN + "=" + token;
        return new SegmentUris() {
            public String init(int initId) {
                return "init" + initId + ".mp4" + q;
            }

            public String segment(long msn) {
                return "s" + msn + ".m4s" + q;
            }

            public String part(long msn, int index) {
                return "p" + msn + "_" + index + ".m4s" + q;
            }
        };
    }

    static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- segments, parts, init segments ----

    private Reply resource(RequestContext rq, String kind) {
        String app = rq.param("app");
        String name = rq.param("stream");
        SessionTokens.Check check = tokens.check(rq.query(TOKEN), app, name, clock.instant().getEpochSecond());
        StreamKey key;
        switch (check) {
            case SessionTokens.Refused refused -> {
                return Response.denied(new Gate.Deny(403, refused.reason()));
            }
            case SessionTokens.Valid valid -> {
                key = valid.key();
                viewers.seen(key, valid.sid(), System.nanoTime());
            }
        }
        Segmenter s = segmenters.find(key);
        if (s == null) {
            return Response.error(404, "StreamNotFound", "stream " + key.path() + " is not live");
        }
        s.touch();
        ResourceName file = ResourceName.parse(rq.param("file"), kind);
        if (file == null) {
            return notFound(rq.param("file") + "." + kind);
        }
        Timeline t = s.timeline();
        switch (file.kind()) {
            case INIT -> {
                byte[] init = t.inits().get(file.initId());
                return init == null ? notFound(file.toString()) : media("video/mp4", init);
            }
            case TS_SEGMENT -> {
                Segment seg = t.segment(file.msn());
                return seg == null || seg.ts() == null ? notFound(file.toString()) : media("video/mp2t", seg.ts());
            }
            case FMP4_SEGMENT -> {
                Segment seg = t.segment(file.msn());
                return seg == null ? notFound(file.toString()) : media("video/mp4", seg.fmp4());
            }
            case PART -> {
                Part p = t.part(file.msn(), file.part());
                if (p != null) {
                    return media("video/mp4", p.bytes());
                }
                if (!hinted(t, file.msn(), file.part())) {
                    return notFound(file.toString()); // rfc8216bis §6.2.6: not hinted, not found
                }
                // §6.2.6: a preload-hinted part is answered once it is complete
                long msn = file.msn();
                int index = file.part();
                CompletableFuture<Response> later = s.waiters.park(tl -> tl.part(msn, index) != null || tl.hasSegment(msn),
                        tl -> {
                            Part got = tl.part(msn, index);
                            return got == null ? notFound(file.toString()) : media("video/mp4", got.bytes());
                        }, s::timeline, 3L * t.targetDuration() * 1000, rq.channel().eventLoop(),
                        () -> notFound(file.toString()));
                return later == null ? Response.error(503, "ServiceUnavailable", "too many waiting requests")
                        .header(HttpHeaderNames.RETRY_AFTER, 1) : Reply.later(later);
            }
        }
        return notFound(file.toString());
    }

    /** The part the playlist hints (the next one), or the first of the next segment. */
    private static boolean hinted(Timeline t, long msn, int index) {
        Timeline.Open open = t.current();
        return open != null && (msn == open.msn() && index == open.parts().size() || msn == open.msn() + 1 && index == 0);
    }

    private Response media(String type, byte[]... chunks) {
        long n = 0;
        for (byte[] c : chunks) {
            n += c.length;
        }
        bytesOut.increment(n);
        return Response.shared(200, type, chunks).header(HttpHeaderNames.CACHE_CONTROL, "max-age=60");
    }

    private static Response notFound(String what) {
        return Response.error(404, "NotFound", what + " is not (or no longer) available");
    }
}
