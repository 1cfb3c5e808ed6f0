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
 * @param snapshot for a stream with video: where a JPEG of its latest keyframe is fetched (an API
 *     path, with the API key); absent otherwise
 * @param node in a cluster, the {@code node.id} of the node that holds the stream; absent on a single node
 * @param viewersByProtocol viewers now per delivery protocol ({@code whep}, {@code flv}, {@code rtmp},
 *     {@code srt}, {@code hls}: HLS sessions seen in the last 30 s); only protocols with viewers
 * @param webrtc for a stream with WHEP viewers: each viewer session's congestion control, ABR and
 *     loss statistics; absent otherwise
 */
public record StreamView(String vhost, String app, String stream, boolean live, String publisherSession,
                  String startedAt, String videoCodec, String audioCodec, int width, int height,
                  String videoProfile, int audioSampleRate, int audioChannels, double fps,
                  double bitrateKbps, int gopFrames, long gopMillis, boolean bFrames, int viewers,
                  long framesIn, long bytesIn, int gopCacheFrames,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Object transcode,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Object srt,
                  @JsonInclude(JsonInclude.Include.NON_NULL) String snapshot,
                  @JsonInclude(JsonInclude.Include.NON_NULL) String node,
                  java.util.Map<String, Integer> viewersByProtocol,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Object webrtc) {

    /**
     * @param transcode the producing job's statistics (serialized as they are), or null
     * @param srt the stream's SRT sessions and their statistics (serialized as they are), or null
     * @param snapshot the stream's snapshot URL, or null
     * @param node the cluster node holding the stream, or null on a single node
     * @param viewersByProtocol viewers now per delivery protocol (copied)
     */
    public static StreamView of(StreamStats s, Object transcode, Object srt, String snapshot, String node,
                                java.util.Map<String, Integer> viewersByProtocol) {
        return of(s, transcode, srt, snapshot, node, viewersByProtocol, null);
    }

    /** The same, with the stream's WHEP viewer sessions (serialized as they are), or null. */
    public static StreamView of(StreamStats s, Object transcode, Object srt, String snapshot, String node,
                                java.util.Map<String, Integer> viewersByProtocol, Object webrtc) {
        return new StreamView(s.key().vhost(), s.key().app(), s.key().stream(), s.publisherSession() != null,
                s.publisherSession(), s.startedAt().toString(), s.videoCodec(), s.audioCodec(), s.width(),
                s.height(), s.videoProfile(), s.audioSampleRate(), s.audioChannels(), s.fps(), s.bitrateKbps(),
                s.gopFrames(), s.gopMillis(), s.bFrames(), s.viewers(), s.framesIn(), s.bytesIn(),
                s.gopCacheFrames(), transcode, srt, snapshot, node, java.util.Map.copyOf(viewersByProtocol), webrtc);
    }
}
