package dev.vireo.record;

import dev.vireo.core.StreamKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the recordings tree, {@code {vhost}/{app}/{stream}/{yyyyMMdd-HHmmss-SSS}.{mp4|flv}}
 * (UTC start): what a directory or file may be called. Everything that builds a path from a stream
 * key or from an API request goes through here first, so no name can climb out of the tree
 * ({@code ..}, separators, NUL, control characters are refused). Pure.
 */
public final class RecordingNames {

    /** Domain names, the zero-config vhost; no leading dot (so never "." or ".."). */
    private static final Pattern VHOST = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}");
    /** App and stream names as the API accepts them; "." and ".." refused separately. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.~-]{1,128}");
    private static final Pattern FILE = Pattern.compile("(\\d{8}-\\d{6}-\\d{3})\\.(mp4|flv)");
    private static final DateTimeFormatter START = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);

    private RecordingNames() {
    }

    public static boolean vhost(String s) {
        return s != null && VHOST.matcher(s).matches();
    }

    /** An app or stream name that is one safe path segment. */
    public static boolean part(String s) {
        return s != null && PART.matcher(s).matches() && !s.equals(".") && !s.equals("..");
    }

    /** A recording's file name: its UTC start and the format's extension. */
    public static boolean file(String s) {
        return s != null && FILE.matcher(s).matches();
    }

    /** Whether every part of {@code key} is a safe name (a stream with others is not recorded). */
    public static boolean safe(StreamKey key) {
        return vhost(key.vhost()) && part(key.app()) && part(key.stream());
    }

    static String fileName(Instant start, RecordFormat format) {
        return START.format(start) + "." + format.extension();
    }

    /** When the recording in {@code file} started, from its name; null for a name that is not one. */
    static Instant startOf(String file) {
        Matcher m = FILE.matcher(file);
        if (!m.matches()) {
            return null;
        }
        try {
            return Instant.from(START.parse(m.group(1)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static RecordFormat formatOf(String file) {
        return file.endsWith(".flv") ? RecordFormat.FLV : RecordFormat.FMP4;
    }
}
