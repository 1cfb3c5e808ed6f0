package dev.vireo.bench.fanout;

import dev.vireo.bench.probe.ServerDelayProbe;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a WHEP step on a transcoded variant (an AAC source: viewers get {@code {stream}@html5})
 * adds to the fan-out numbers: the gaps between consecutive frames as the hub delivers the source
 * to the transcoding job and as the job publishes ffmpeg's output (Vireo's
 * {@code vireo_transcode_frame_gap_seconds}, per stage and track, over the window), and how many
 * viewers kept up: got at least 90 % of the median viewer's RTP packets in the window.
 */
final class VariantTiming {

    static final String HISTOGRAM = "vireo_transcode_frame_gap_seconds";
    static final String[] SERIES = {"in video", "out video", "in audio", "out audio"};
    /** A viewer below this share of the median viewer's packets did not keep up. */
    static final double KEPT_SHARE = 0.9;

    private final Map<String, ServerDelayProbe> probes = new LinkedHashMap<>();

    VariantTiming(URI metrics) {
        for (String s : SERIES) {
            String[] stageTrack = s.split(" ");
            probes.put(s, new ServerDelayProbe(metrics, HISTOGRAM,
                    "stage=\"" + stageTrack[0] + "\",track=\"" + stageTrack[1] + "\","));
        }
    }

    Map<String, Map<Double, Long>> scrape() {
        Map<String, Map<Double, Long>> m = new LinkedHashMap<>();
        probes.forEach((s, p) -> m.put(s, p.scrape()));
        return m;
    }

    /** Gap percentiles per series over the window (series with no frames left out). */
    static Map<String, ServerDelayProbe.Summary> between(Map<String, Map<Double, Long>> before,
                                                         Map<String, Map<Double, Long>> after) {
        Map<String, ServerDelayProbe.Summary> m = new LinkedHashMap<>();
        after.forEach((s, buckets) -> {
            ServerDelayProbe.Summary sum = ServerDelayProbe.between(before.getOrDefault(s, Map.of()), buckets);
            if (sum != null) {
                m.put(s, sum);
            }
        });
        return m;
    }

    /** Viewers whose packet count is at least {@link #KEPT_SHARE} of the median viewer's. */
    static int keptUp(long[] packetsPerViewer) {
        if (packetsPerViewer.length == 0) {
            return 0;
        }
        long[] sorted = packetsPerViewer.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
        int kept = 0;
        for (long p : packetsPerViewer) {
            if (p >= KEPT_SHARE * median) {
                kept++;
            }
        }
        return kept;
    }
}
