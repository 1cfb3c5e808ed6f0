package dev.vireo.control.diagnose;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The troubleshooter: reads an ingest or play URL and checks, as the server would at admission,
 * the domain (known, online, of the right kind, associated, RTS on), the Type A signature (and if
 * it fails, which part), then the stream (live, codecs, B-frames, GOP, frame rate) and whether
 * WebRTC viewers need the browser variant. Reads memory only; never a key.
 */
public final class Diagnoser {

    private static final Set<String> RTS = Set.of("artc", "whep");
    /** Above this GOP a new viewer waits visibly for its first keyframe. */
    static final long LONG_GOP_MILLIS = 2000;

    private final Facts facts;
    private final StreamHub hub;
    private final Clock clock;

    public Diagnoser(Facts facts, StreamHub hub, Clock clock) {
        this.facts = facts;
        this.hub = hub;
        this.clock = clock;
    }

    /** @param action "publish" or "play" for URLs that do not say (RTMP, artc), or null to infer it from the domain */
    public Diagnosis diagnose(String url, String action) {
        StreamUrl u;
        try {
            u = StreamUrl.parse(url);
        } catch (IllegalArgumentException e) {
            return new Diagnosis(url, null, null, null, null, null, List.of(Finding.error("UrlMalformed", e.getMessage(),
                    "Copy the URL from the URL generator of the console (or POST /api/v1/urls).")));
        }
        List<Finding> out = new ArrayList<>();
        String domainName = facts.zeroConfig() ? null : facts.domainName(u.host(), u.query());
        Optional<Facts.DomainFacts> domain = domainName == null ? Optional.empty() : facts.domain(domainName);
        String act = u.action() != null ? u.action()
                : action != null ? action.toLowerCase(Locale.ROOT)
                : domain.map(d -> d.ingest() ? "publish" : "play").orElse("play");
        boolean play = act.equals("play");
        String ingestVhost = StreamKey.DEFAULT_VHOST;
        boolean rts = true;
        boolean html5 = true;
        if (facts.zeroConfig()) {
            out.add(Finding.ok("ZeroConfig", "No domain is configured: any host " + (play ? "plays" : "publishes")
                    + " on the default vhost, unsigned."));
        } else if (domain.isEmpty()) {
            out.add(Finding.error("DomainUnknown", "Domain " + domainName + " is not configured on this server.",
                    "Add it under Domains (ingest to publish, streaming to play), or use a configured name; on an IP"
                            + " address add ?vhost={domain} to the URL."));
            return done(url, u, act, domainName, out);
        } else {
            Facts.DomainFacts d = domain.get();
            if (!d.online()) {
                out.add(Finding.error("DomainOffline", "Domain " + d.name() + " is offline: it refuses everything.",
                        "Switch it online under Domains."));
            }
            if (play && d.ingest()) {
                out.add(Finding.error("IngestDomainUsedForPlay", d.name() + " is an ingest domain: it only takes publishers.",
                        d.streamingDomains().isEmpty() ? "Add a streaming domain, associate it with " + d.name()
                                + " and play from it." : "Play from " + String.join(" or ", d.streamingDomains()) + "."));
                return done(url, u, act, d.name(), out);
            }
            if (!play && !d.ingest()) {
                out.add(Finding.error("StreamingDomainUsedForPublish", d.name() + " is a streaming domain: it only plays.",
                        d.ingestDomain() == null ? "Publish to an ingest domain." : "Publish to " + d.ingestDomain() + "."));
                return done(url, u, act, d.name(), out);
            }
            if (play && d.ingestDomain() == null) {
                out.add(Finding.error("NotAssociated", d.name() + " is not associated with an ingest domain.",
                        "Associate it under Domains (PUT /api/v1/domains/" + d.name() + "/association)."));
                return done(url, u, act, d.name(), out);
            }
            if (play && !d.ingestOnline()) {
                out.add(Finding.error("IngestDomainOffline", "Ingest domain " + d.ingestDomain() + " is offline.",
                        "Switch it online under Domains."));
            }
            rts = !play || d.rtsEnabled();
            html5 = d.html5Transcoding();
            if (play && RTS.contains(u.protocol()) && !d.rtsEnabled()) {
                out.add(Finding.error("RtsDisabled", "RTS (WebRTC playback) is off on " + d.name() + ".",
                        "Switch RTS on for the domain, or play over HTTP-FLV/HLS."));
            }
            out.add(Finding.ok("DomainOk", d.name() + " is a" + (d.ingest() ? "n ingest" : " streaming") + " domain"
                    + (play ? " playing streams of " + d.ingestDomain() : "") + "."));
            ingestVhost = play ? d.ingestDomain() : d.name();
            signature(d.name(), u, out);
        }
        stream(new StreamKey(ingestVhost, u.app(), u.stream()), play, u, rts, html5, out);
        return done(url, u, act, domainName, out);
    }

    private void signature(String domain, StreamUrl u, List<Finding> out) {
        String uri = u.signedUri();
        String base = "/" + u.app() + "/" + u.stream();
        List<String> alternatives = List.of(base, base + ".flv", base + ".m3u8").stream().filter(x -> !x.equals(uri)).toList();
        Facts.SignatureCheck check = facts.checkSignature(domain, uri, alternatives, u.query(),
                clock.instant().getEpochSecond());
        switch (check) {
            case Facts.NotRequired n -> out.add(Finding.ok("SignatureNotRequired", "URL signing is off on " + domain + "."));
            case Facts.Missing m -> out.add(Finding.error("SignatureMissing", domain + " signs URLs and this one has no auth_key.",
                    "Use a signed URL from the URL generator."));
            case Facts.Malformed m -> out.add(Finding.error("SignatureMalformed",
                    "The auth_key is not {timestamp}-{rand}-{uid}-{md5hash} (a decimal timestamp and 32 hex digits).",
                    "Copy the whole URL again: a truncated or re-encoded auth_key is the usual cause."));
            case Facts.Expired e -> out.add(Finding.error("SignatureExpired", "The URL expired at " + e.expiredAt()
                    + " (signed for " + e.signedAt() + " + the domain's validity of " + e.validityMinutes() + " min).",
                    "Generate a new URL, or raise the validity under Domains → URL signing."));
            case Facts.Mismatch m -> out.add(m.signedFor() == null
                    ? Finding.error("SignatureMismatch", "The hash does not match " + uri + " with either key of " + domain + ".",
                            "The URL was signed with another key or for another stream: generate it again.")
                    : Finding.error("SignatureWrongUri", "The auth_key was signed for " + m.signedFor() + ", but this URL needs "
                            + uri + mismatchHint(uri, m.signedFor()) + ".",
                            "Sign " + uri + " (each of RTMP/WebRTC, .flv and .m3u8 has its own auth_key)."));
            case Facts.Valid v -> out.add(Finding.ok("SignatureValid", "The signature is valid until " + v.expiresAt() + "."));
        }
    }

    private static String mismatchHint(String needed, String signedFor) {
        if (needed.endsWith(".flv") && !signedFor.endsWith(".flv")) {
            return " (the .flv suffix is missing from the signed URI)";
        }
        if (needed.endsWith(".m3u8") && !signedFor.endsWith(".m3u8")) {
            return " (the .m3u8 suffix is missing from the signed URI)";
        }
        return "";
    }

    private void stream(StreamKey key, boolean play, StreamUrl u, boolean rts, boolean html5, List<Finding> out) {
        Optional<Stream> found = hub.find(key).filter(Stream::isLive);
        if (found.isEmpty()) {
            out.add(play
                    ? Finding.error("StreamOffline", "Nothing publishes /" + key.app() + "/" + key.stream() + " now.",
                            "Start the encoder (check its URL here too); the player reconnects by itself.")
                    : Finding.ok("StreamFree", "/" + key.app() + "/" + key.stream() + " is free to publish."));
            return;
        }
        StreamStats s = found.get().stats();
        if (!play) {
            out.add(Finding.warn("StreamBusy", "/" + key.app() + "/" + key.stream() + " is already being published:"
                    + " a second publisher is refused.", "Stop the other encoder, or publish to another stream name."));
        }
        out.add(Finding.ok("StreamLive", "Live: " + describe(s) + "."));
        boolean aac = "AAC".equals(s.audioCodec());
        boolean av1 = "AV1".equals(s.videoCodec());
        if (s.bFrames()) {
            out.add(Finding.warn("BFrames", "The video has B-frames.", rts
                    ? "Set B-frames to 0 in the encoder (OBS: x264 options bframes=0); WebRTC viewers otherwise play a transcoded copy."
                    : "Set B-frames to 0 for the lowest delay."));
        }
        if (s.gopMillis() > LONG_GOP_MILLIS) {
            out.add(Finding.warn("LongGop", String.format(Locale.ROOT, "A keyframe every %.1f s: new viewers wait for it.",
                    s.gopMillis() / 1000.0), "Set the keyframe interval to 1 s (OBS: Output → Keyframe Interval; ffmpeg: -g = fps)."));
        }
        if (s.fps() > 0 && s.fps() < 15) {
            out.add(Finding.warn("LowFps", String.format(Locale.ROOT, "%.1f frames per second.", s.fps()),
                    "Check the encoder keeps up (OBS: preset veryfast, lower output resolution)."));
        }
        if (rts && !av1 && (aac || s.bFrames())) {
            String why = (aac ? "AAC audio" : "") + (aac && s.bFrames() ? " and " : "") + (s.bFrames() ? "B-frames" : "");
            if (html5) {
                out.add(Finding.warn("BrowserVariant", "WebRTC viewers need the browser variant " + key.stream() + "@html5 ("
                        + why + "): Opus audio, no B-frames, made by one ffmpeg per stream.",
                        "Publish Opus without B-frames (WHIP, or Enhanced RTMP) to skip the transcode and its delay."));
            } else {
                out.add(Finding.error("BrowserVariantOff", "WebRTC viewers play the stream as it is (" + why
                        + ") because HTML5 transcoding is off" + (aac ? ": no sound" : "") + ".",
                        "Switch HTML5 auto transcoding on for the streaming domain, or publish Opus without B-frames."));
            }
        }
    }

    private static String describe(StreamStats s) {
        StringBuilder b = new StringBuilder();
        if (s.videoCodec() != null) {
            b.append(s.videoCodec()).append(s.videoProfile() == null || s.videoProfile().isEmpty() ? "" : " " + s.videoProfile())
                    .append(' ').append(s.width()).append('x').append(s.height())
                    .append(String.format(Locale.ROOT, " %.0f fps, GOP %.1f s, %s", s.fps(), s.gopMillis() / 1000.0,
                            s.bFrames() ? "B-frames" : "no B-frames"));
        } else {
            b.append("no video");
        }
        b.append("; ").append(s.audioCodec() == null ? "no audio" : s.audioCodec());
        b.append(String.format(Locale.ROOT, "; %.0f kbit/s, %d viewer(s)", s.bitrateKbps(), s.viewers()));
        return b.toString();
    }

    private static Diagnosis done(String url, StreamUrl u, String action, String domain, List<Finding> out) {
        return new Diagnosis(url, u.protocol(), action, domain, u.app(), u.stream(), out);
    }
}
