package dev.vireo.server;

import dev.vireo.webrtc.testing.Chromium;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A WHEP viewer in Chromium that records its own start (whep-probe.js): when the answer, ICE, DTLS,
 * the first video packet, the first frame received, decoded and presented happened (ms after its
 * POST), and a {@code getStats()} time line. For measurements (ChromiumStartBench), not assertions.
 */
final class WhepStartProbe {

    private static final String SCRIPT = load();

    /** One viewer's run: its events (ms after the POST), the first presented frame, the samples. */
    record Run(double epoch0, Map<String, Double> events, Map<String, Object> first, List<Map<String, Object>> samples,
               Map<String, Object> quality) {

        double event(String name) {
            return events.getOrDefault(name, -1.0);
        }

        /** The first picture: the video frame callback, else loadeddata. */
        double firstPicture() {
            double f = event("videoFrameCallback");
            return f >= 0 ? f : event("loadeddata");
        }

        /** The last sample's video inbound-rtp stats. */
        @SuppressWarnings("unchecked")
        Map<String, Object> lastVideo() {
            for (int i = samples.size() - 1; i >= 0; i--) {
                Object v = samples.get(i).get("v");
                if (v != null) {
                    return (Map<String, Object>) v;
                }
            }
            return Map.of();
        }

        /** The samples up to {@code untilMs}, one line each, for the log. */
        @SuppressWarnings("unchecked")
        String timeline(double untilMs) {
            StringBuilder sb = new StringBuilder();
            for (Map<String, Object> s : samples) {
                double t = ((Number) s.get("t")).doubleValue();
                if (t > untilMs) {
                    break;
                }
                Map<String, Object> v = (Map<String, Object>) s.getOrDefault("v", Map.of());
                Map<String, Object> a = (Map<String, Object>) s.getOrDefault("a", Map.of());
                if (v == null) {
                    v = Map.of();
                }
                if (a == null) {
                    a = Map.of();
                }
                sb.append(String.format("%n  t=%7.1f v pkts=%s recv=%s dec=%s key=%s drop=%s jbDelay=%s jbTarget=%s"
                                + " jbMin=%s emitted=%s nack=%s pli=%s | a pkts=%s samples=%s jbDelay=%s | w=%s ct=%s",
                        t, v.get("packetsReceived"), v.get("framesReceived"), v.get("framesDecoded"),
                        v.get("keyFramesDecoded"), v.get("framesDropped"), v.get("jitterBufferDelay"),
                        v.get("jitterBufferTargetDelay"), v.get("jitterBufferMinimumDelay"),
                        v.get("jitterBufferEmittedCount"), v.get("nackCount"), v.get("pliCount"),
                        a.get("packetsReceived"), a.get("totalSamplesReceived"), a.get("jitterBufferDelay"),
                        s.get("w"), s.get("ct")));
            }
            return sb.toString();
        }
    }

    private WhepStartProbe() {
    }

    /**
     * Plays {@code whepUrl} for {@code durationMs} in the page {@code chromium} has open (of the
     * server's origin), sampling stats every {@code sampleMs}; {@code audioMode} "same" (audio in
     * the video element, as the player does), "separate" (its own audio element) or "none".
     */
    @SuppressWarnings("unchecked")
    static Run play(Chromium chromium, String whepUrl, long durationMs, String audioMode, long sampleMs) {
        chromium.driver().manage().timeouts().scriptTimeout(Duration.ofMillis(durationMs + 20_000));
        Object r = chromium.jsAsync(SCRIPT, whepUrl, durationMs, audioMode, sampleMs);
        if (!(r instanceof Map<?, ?> m) || m.get("error") != null) {
            throw new AssertionError("the probe failed: " + r);
        }
        Map<String, Double> events = new TreeMap<>();
        ((Map<String, Object>) m.get("events")).forEach((k, v) -> events.put(k, ((Number) v).doubleValue()));
        return new Run(((Number) m.get("epoch0")).doubleValue(), events, (Map<String, Object>) m.get("first"), (List<Map<String, Object>>) m.get("samples"),
                (Map<String, Object>) m.get("quality"));
    }

    /** A numeric stats field, or -1 when absent. */
    static double number(Map<String, Object> stats, String name) {
        return stats.get(name) instanceof Number n ? n.doubleValue() : -1;
    }

    private static String load() {
        try (InputStream in = WhepStartProbe.class.getResourceAsStream("whep-probe.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
