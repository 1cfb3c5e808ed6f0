package dev.vireo.bench;

import java.util.Locale;

/**
 * The bench's progress lines: one line on stderr, prefixed {@code [bench]}, apart from the results
 * a bench prints on stdout (its tables, the JSON path). Any thread may log: each call is one
 * {@code println} of the whole line, so lines do not interleave.
 */
public final class BenchLog {

    private BenchLog() {
    }

    /** Formats with {@link Locale#ROOT} (a decimal point whatever the machine's locale). */
    public static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
