package dev.vireo.transcode.meter;

/**
 * Added latency percentiles over the last {@link LatencyMeter#WINDOW} frames of a track.
 *
 * @param samples frames measured (0: no data yet, or the track is absent)
 */
public record Latency(double p50Millis, double p99Millis, int samples) {
    public static final Latency NONE = new Latency(0, 0, 0);
}
