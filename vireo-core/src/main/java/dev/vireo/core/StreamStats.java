package dev.vireo.core;

import java.time.Instant;

/**
 * A snapshot of one stream's statistics, for the API, metrics and troubleshooting.
 *
 * @param key the stream
 * @param publisherSession session id of the live publisher, or null while waiting for a reconnect
 * @param startedAt when the stream was first published
 * @param videoCodec e.g. "H264", or null for no video
 * @param audioCodec e.g. "AAC", or null for no audio
 * @param width coded picture width from the sequence header, 0 when unknown
 * @param height coded picture height, 0 when unknown
 * @param videoProfile e.g. "High", "" when unknown
 * @param audioSampleRate Hz, 0 when unknown
 * @param audioChannels 0 when unknown
 * @param fps video frames per second over the last measurement window
 * @param bitrateKbps all tracks' payload bitrate over the last measurement window
 * @param gopFrames frames in the last complete GOP (keyframe to keyframe), 0 until one completes
 * @param gopMillis duration of the last complete GOP
 * @param bFrames true once the video showed reordered frames (presentation time going back)
 * @param viewers viewers attached now
 * @param framesIn frames published since start
 * @param bytesIn payload bytes published since start
 * @param gopCacheFrames frames held in the GOP cache now
 */
public record StreamStats(StreamKey key, String publisherSession, Instant startedAt,
                          String videoCodec, String audioCodec, int width, int height,
                          String videoProfile, int audioSampleRate, int audioChannels,
                          double fps, double bitrateKbps, int gopFrames, long gopMillis,
                          boolean bFrames, int viewers, long framesIn, long bytesIn,
                          int gopCacheFrames) {
}
