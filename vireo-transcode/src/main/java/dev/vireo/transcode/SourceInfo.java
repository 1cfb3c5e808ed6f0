package dev.vireo.transcode;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamStats;
import dev.vireo.media.Codec;

/**
 * What the transcoder needs to know about a source stream to plan a job, from its live statistics.
 *
 * @param video the video codec, or null for none
 * @param audio the audio codec, or null for none
 * @param bitrateKbps all tracks, over the last second; 0 while unknown
 */
record SourceInfo(Codec video, Codec audio, int width, int height, double fps, boolean bFrames, double bitrateKbps,
                  int audioChannels) {

    static SourceInfo of(Stream stream) {
        StreamStats s = stream.stats();
        return new SourceInfo(codec(s.videoCodec()), codec(s.audioCodec()), s.width(), s.height(), s.fps(), s.bFrames(),
                s.bitrateKbps(), s.audioChannels());
    }

    private static Codec codec(String name) {
        return name == null ? null : Codec.valueOf(name);
    }

    /**
     * The video bitrate to re-encode at without a template: the measured rate less a tenth for
     * audio, or, before the first measurement (a stream a second old), 0.08 bit per pixel at the
     * frame rate (about 2.2 Mb/s for 720p30), within [{@code min}, {@code max}].
     */
    int videoKbps(int min, int max) {
        double kbps = bitrateKbps > 0 ? bitrateKbps * 0.9
                : width * (double) height * (fps > 0 ? fps : 30) * 0.08 / 1000;
        return (int) Math.max(min, Math.min(max, kbps));
    }

    boolean hasVideo() {
        return video != null;
    }

    boolean hasAudio() {
        return audio != null;
    }
}
