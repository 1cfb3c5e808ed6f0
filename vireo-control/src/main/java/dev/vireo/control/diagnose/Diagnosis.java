package dev.vireo.control.diagnose;

import dev.vireo.control.events.StreamEvents;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The answer of {@code POST /api/v1/diagnose}: how the URL was read and what was found, most
 * important first (errors, then warnings, then what is fine).
 *
 * @param protocol rtmp, srt, artc, whip, whep, flv or hls (null when the URL could not be read)
 * @param action publish or play
 * @param events the stream's recent publishes, unpublishes and refusals (any domain), oldest first
 */
public record Diagnosis(String url, String protocol, String action, String domain, String app, String stream,
                        List<Finding> findings, List<StreamEvents.Event> events) {

    Diagnosis(String url, String protocol, String action, String domain, String app, String stream,
              List<Finding> findings) {
        this(url, protocol, action, domain, app, stream, sorted(findings), List.of());
    }

    /** This diagnosis with more findings (sorted in) and the stream's recent events. */
    public Diagnosis with(List<Finding> more, List<StreamEvents.Event> recent) {
        List<Finding> all = new ArrayList<>(findings);
        all.addAll(more);
        return new Diagnosis(url, protocol, action, domain, app, stream, sorted(all), List.copyOf(recent));
    }

    /** Most important first: errors, warnings, then what is fine; stable within a severity. */
    static List<Finding> sorted(List<Finding> findings) {
        List<Finding> out = new ArrayList<>(findings);
        out.sort(Comparator.comparingInt(f -> switch (f.severity()) {
            case "error" -> 0;
            case "warn" -> 1;
            default -> 2;
        }));
        return List.copyOf(out);
    }
}
