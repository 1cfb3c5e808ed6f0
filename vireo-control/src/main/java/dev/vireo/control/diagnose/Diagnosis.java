package dev.vireo.control.diagnose;

import java.util.List;

/**
 * The answer of {@code POST /api/v1/diagnose}: how the URL was read and what was found, most
 * important first (errors, then warnings, then what is fine).
 *
 * @param protocol rtmp, srt, artc, whip, whep, flv or hls (null when the URL could not be read)
 * @param action publish or play
 */
public record Diagnosis(String url, String protocol, String action, String domain, String app, String stream,
                        List<Finding> findings) {
}
