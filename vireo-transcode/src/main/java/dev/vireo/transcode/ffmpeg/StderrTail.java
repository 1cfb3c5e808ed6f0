package dev.vireo.transcode.ffmpeg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;

/**
 * Drains an ffmpeg's stderr (a full pipe would stall it) to the log at debug, keeping the last
 * lines for the error message when it dies.
 */
final class StderrTail {

    private static final int KEEP = 20;
    private static final int MAX_LINE = 500;

    private record Line(String text, long nanos) {
    }

    private final ArrayDeque<Line> lines = new ArrayDeque<>();

    /** Reads until end of stream; runs on its own thread. */
    void drain(InputStream stderr, Logger log, String prefix) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String l = line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line;
                log.debug("{} ffmpeg: {}", prefix, l);
                synchronized (lines) {
                    lines.addLast(new Line(l, System.nanoTime()));
                    if (lines.size() > KEEP) {
                        lines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            log.debug("{} ffmpeg stderr closed: {}", prefix, e.getMessage());
        }
    }

    /** The last line ffmpeg wrote at or after {@code sinceNanos} (System.nanoTime()), or "". */
    String lastSince(long sinceNanos) {
        synchronized (lines) {
            return lines.isEmpty() || lines.getLast().nanos - sinceNanos < 0 ? "" : lines.getLast().text;
        }
    }

}
