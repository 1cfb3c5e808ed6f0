package dev.vireo.control.urls;

import dev.vireo.control.access.UrlSigning;
import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.model.Domain;
import dev.vireo.control.model.SigningConfig;
import java.time.Instant;

/**
 * Builds every ingest and play URL of a stream (DESIGN.md "URLs"), signed with Type A when the
 * domain signs. Pure: the time and the random part are given.
 *
 * <p>Validity: a domain accepts a URL until {@code timestamp + domain validity}. To give a URL a
 * different lifetime V, its timestamp is set to {@code now + V - domain validity}, so it expires at
 * {@code now + V} exactly (a timestamp in the future is fine).
 */
public final class UrlGenerator {

    /**
     * A domain as the generator needs it.
     *
     * @param signing null when the domain does not sign (or there is no domain)
     * @param tls whether http(s) URLs use https (the domain has a certificate)
     */
    public record Target(String host, SigningConfig signing, boolean tls) {
        public static Target of(Domain d, boolean hasCertificate) {
            return new Target(d.name(), d.signing().enabled() ? d.signing() : null, hasCertificate);
        }
    }

    /** Ingest URLs; {@code expiresAt} is null when unsigned. */
    record IngestUrls(String rtmp, String srt, String rts, String whip, String expiresAt) {
    }

    /**
     * Play URLs; {@code rts} is artc://, {@code whep} its http(s) equivalent (artc:// carries the same
     * port when it is not the scheme's default, or an embedded player, which maps artc://host to
     * http(s)://host, would knock at 80/443); {@code srt} an SRT caller's
     * URL ({@code m=request}, the token signed over {@code /app/stream} like RTMP's); {@code m3u8} is classic
     * HLS (MPEG-TS), {@code llhls} Low-Latency HLS (fMP4), {@code jpg} the latest keyframe as JPEG,
     * each signed over its own path.
     */
    record PlayUrls(String rts, String whep, String rtmp, String srt, String flv, String m3u8, String llhls, String jpg,
                    String expiresAt) {
    }

    record Transcoded(String templateId, String stream, PlayUrls play) {
    }

    /** Every URL of one stream; {@code ingest} or {@code play} is null when that domain was not given. */
    record UrlSet(String app, String stream, IngestUrls ingest, PlayUrls play, Transcoded transcoded) {
    }

    private final ControlConfig.UrlEndpoints endpoints;

    public UrlGenerator(ControlConfig.UrlEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    /**
     * @param validityMinutes lifetime of the URLs, or null for each domain's own validity
     * @param rand the Type A rand field ("0" or a UUID without hyphens)
     */
    public UrlSet generate(Target ingest, Target play, String app, String stream, String templateId, Integer validityMinutes,
                    long nowSeconds, String rand) {
        IngestUrls in = ingest == null ? null : ingest(ingest, app, stream, validityMinutes, nowSeconds, rand);
        PlayUrls out = play == null ? null : play(play, app, stream, validityMinutes, nowSeconds, rand);
        Transcoded tx = null;
        if (templateId != null && play != null) {
            String variant = stream + "_" + templateId;
            tx = new Transcoded(templateId, variant, play(play, app, variant, validityMinutes, nowSeconds, rand));
        }
        return new UrlSet(app, stream, in, out, tx);
    }

    private IngestUrls ingest(Target t, String app, String stream, Integer validity, long now, String rand) {
        Signer s = new Signer(t.signing(), validity, now, rand);
        String path = "/" + app + "/" + stream;
        String http = (t.tls() ? "https://" : "http://") + t.host() + httpPort(t.tls());
        return new IngestUrls(
                "rtmp://" + t.host() + rtmpPort() + path + s.query(path),
                "srt://" + t.host() + ":" + endpoints.srtPort() + "?streamid=#!::h=" + t.host() + ",r=" + path
                        + s.query(path) + ",m=publish",
                "artc://" + t.host() + httpPort(t.tls()) + path + s.query(path),
                http + path + "/whip" + s.query(path),
                s.expiresAt());
    }

    private PlayUrls play(Target t, String app, String stream, Integer validity, long now, String rand) {
        Signer s = new Signer(t.signing(), validity, now, rand);
        String path = "/" + app + "/" + stream;
        String http = (t.tls() ? "https://" : "http://") + t.host() + httpPort(t.tls());
        return new PlayUrls(
                "artc://" + t.host() + httpPort(t.tls()) + path + s.query(path),
                http + path + "/whep" + s.query(path),
                "rtmp://" + t.host() + rtmpPort() + path + s.query(path),
                "srt://" + t.host() + ":" + endpoints.srtPort() + "?streamid=#!::h=" + t.host() + ",r=" + path
                        + s.query(path) + ",m=request",
                http + path + ".flv" + s.query(path + ".flv"),
                http + path + ".m3u8" + s.query(path + ".m3u8"),
                http + path + "/llhls.m3u8" + s.query(path + "/llhls.m3u8"),
                http + path + ".jpg" + s.query(path + ".jpg"),
                s.expiresAt());
    }

    private String rtmpPort() {
        return endpoints.rtmpPort() == 1935 ? "" : ":" + endpoints.rtmpPort();
    }

    private String httpPort(boolean tls) {
        int port = tls ? endpoints.httpsPort() : endpoints.httpPort();
        return port == (tls ? 443 : 80) ? "" : ":" + port;
    }

    /** Signs URIs of one domain at one time; no-op when the domain does not sign. */
    private record Signer(SigningConfig signing, Integer validity, long now, String rand) {

        long timestamp() {
            if (validity == null) {
                return now;
            }
            return now + (validity.longValue() - signing.validityMinutes()) * 60;
        }

        String query(String uri) {
            if (signing == null) {
                return "";
            }
            return "?auth_key=" + UrlSigning.authKey(uri, timestamp(), rand, "0", signing.primaryKey());
        }

        String expiresAt() {
            if (signing == null) {
                return null;
            }
            return Instant.ofEpochSecond(timestamp() + signing.validityMinutes() * 60L).toString();
        }
    }
}
