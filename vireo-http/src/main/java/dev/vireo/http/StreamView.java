package dev.vireo.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.vireo.core.StreamStats;

/**
 * A stream as the REST API shows it: {@link StreamStats} flattened, with the start time as an
 * ISO-8601 string; the one shape every API listing streams uses. Kept separate from the core record so the API stays stable when the core
 * changes.
 *
 * @param transcode for a stream a transcoding job produces ({@code {stream}_{template}},
 *     {@code {stream}@html5}): the job's live statistics; absent for other streams
 * @param srt for a stream published or played over SRT: those sessions' libsrt statistics; absent otherwise
 * @param viewersByProtocol viewers now per delivery protocol ({@code whep}, {@code flv}, {@code rtmp},
 *     {@code srt}, {@code hls}: HLS sessions seen in the last 30 s); only protocols with viewers
 */
public record StreamView(String vhost, String app, String stream, boolean live, String publisherSession,
                  String startedAt, String videoCodec, String audioCodec, int width, int height,
                  String videoProfile, int audioSampleRate, int audioChannels, double fps,
                  double bitrateKbps, int gopFrames, long gopMillis, boolean bFrames, int viewers,
                  long framesIn, long bytesIn, int gopCacheFrames,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Object transcode,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Object srt,
                  java.util.Map<String, Integer> viewersByProtocol) {

    public static StreamView of(StreamStats s) {
        return of(s, null);
    }

    /** @param transcode the producing job's statistics (serialized as they are), or null */
    public static StreamView of(StreamStats s, Object transcode) {
        return of(s, transcode, null);
    }

    /**
     * @param transcode the producing job's statistics (serialized as they are), or null
     * @param srt the stream's SRT sessions and their statistics (serialized as they are), or null
     */
    public static StreamView of(StreamStats s, Object transcode, Object srt) {
        return new StreamView(s.key().vhost(), s.key().app(), s.key().stream(), s.publisherSession() != null,
                s.publisherSession(), s.startedAt().toString(), s.videoCodec(), s.audioCodec(), s.width(),
                s.height(), s.videoProfile(), s.audioSampleRate(), s.audioChannels(), s.fps(), s.bitrateKbps(),
                s.gopFrames(), s.gopMillis(), s.bFrames(), s.viewers(), s.framesIn(), s.bytesIn(),
                s.gopCacheFrames(), transcode, srt, java.util.Map.of());
    }

    /** This view with its per-protocol viewer counts. */
    public StreamView withViewersByProtocol(java.util.Map<String, Integer> counts) {
        return new StreamView(vhost, app, stream, live, publisherSession, startedAt, videoCodec, audioCodec, width,
                height, videoProfile, audioSampleRate, audioChannels, fps, bitrateKbps, gopFrames, gopMillis, bFrames,
                viewers, framesIn, bytesIn, gopCacheFrames, transcode, srt, java.util.Map.copyOf(counts));
    }
}
