package dev.vireo.record;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which streams are recorded, and how files rotate: {@code app/stream} patterns where {@code *}
 * stands for a whole name ({@code live/*}, {@code *}{@code /*}, {@code live/demo}). Pure.
 *
 * @param patterns the patterns; none means nothing is recorded
 * @param rotate a file is closed and the next one started at the first keyframe after this
 */
public record RecordRules(List<String> patterns, Duration rotate) {

    public RecordRules {
        patterns = List.copyOf(patterns);
        Objects.requireNonNull(rotate, "rotate");
        if (rotate.toSeconds() < 1) {
            throw new IllegalArgumentException("record rotation must be at least 1 s");
        }
        for (String p : patterns) {
            String[] f = p.split("/", -1);
            if (f.length != 2 || f[0].isEmpty() || f[1].isEmpty()) {
                throw new IllegalArgumentException("record pattern must be app/stream (with * for any): '" + p + "'");
            }
        }
    }

    /** Nothing recorded. */
    public static RecordRules none() {
        return new RecordRules(List.of(), Duration.ofHours(1));
    }

    /** Patterns from a comma-separated list ("live/*, news/main"); "" for none. */
    public static RecordRules parse(String list, Duration rotate) {
        List<String> out = new ArrayList<>();
        for (String p : list.split(",")) {
            if (!p.isBlank()) {
                out.add(p.trim());
            }
        }
        return new RecordRules(out, rotate);
    }

    public boolean any() {
        return !patterns.isEmpty();
    }

    public boolean matches(String app, String stream) {
        for (String p : patterns) {
            int slash = p.indexOf('/');
            if (part(p.substring(0, slash), app) && part(p.substring(slash + 1), stream)) {
                return true;
            }
        }
        return false;
    }

    private static boolean part(String pattern, String name) {
        return pattern.equals("*") || pattern.equals(name);
    }
}
