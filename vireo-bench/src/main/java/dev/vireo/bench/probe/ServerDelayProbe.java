package dev.vireo.bench.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server-added latency as the server itself measures it: the cumulative buckets of a
 * Prometheus histogram (Vireo's {@code vireo_webrtc_egress_delay_seconds}, frame arrival to its
 * packets queued for a viewer) scraped before and after a measurement window; the percentiles of
 * the difference are those of the window alone. Upper bucket bounds, so a percentile is reported
 * as at most the bucket it falls in.
 */
public final class ServerDelayProbe {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI metrics;
    private final String bucketPrefix;

    public ServerDelayProbe(URI metrics, String histogram) {
        this(metrics, histogram, "");
    }

    /** @param labels the series' labels before {@code le}, as exposed, e.g. {@code stage="out",track="video",} */
    public ServerDelayProbe(URI metrics, String histogram, String labels) {
        this.metrics = metrics;
        this.bucketPrefix = histogram + "_bucket{" + labels;
    }

    /** Cumulative count per upper bound (seconds), or an empty map when the scrape failed. */
    public Map<Double, Long> scrape() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? parse(r.body()) : Map.of();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    Map<Double, Long> parse(String exposition) {
        Map<Double, Long> buckets = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(bucketPrefix)) {
                continue;
            }
            int le = line.indexOf("le=\"");
            int end = le < 0 ? -1 : line.indexOf('"', le + 4);
            int space = line.lastIndexOf(' ');
            if (end < 0 || space < end) {
                continue;
            }
            String bound = line.substring(le + 4, end);
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            buckets.merge(upper, (long) Double.parseDouble(line.substring(space + 1).trim()), Long::sum);
        }
        return buckets;
    }

    /** Percentiles of what was recorded between two scrapes, or null when nothing was. */
    public static Summary between(Map<Double, Long> before, Map<Double, Long> after) {
        if (after.isEmpty()) {
            return null;
        }
        TreeMap<Double, Long> delta = new TreeMap<>();
        after.forEach((upper, count) -> delta.put(upper, count - before.getOrDefault(upper, 0L)));
        long total = delta.lastEntry().getValue();
        if (total <= 0) {
            return null;
        }
        return new Summary(total, millis(delta, total, 0.50), millis(delta, total, 0.99), millis(delta, total, 0.999));
    }

    private static double millis(TreeMap<Double, Long> cumulative, long total, double q) {
        double rank = Math.ceil(q * total);
        for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                return e.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Server-added latency of one window: frames × viewers recorded, and percentiles (ms, bucket bounds). */
    public record Summary(long count, double p50Ms, double p99Ms, double p999Ms) {
    }
}
