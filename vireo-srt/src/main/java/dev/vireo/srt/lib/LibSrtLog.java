package dev.vireo.srt.lib;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * libsrt's own log lines (warnings and errors: a wrong passphrase, a rejected handshake). libsrt
 * calls {@link #handle} on its internal threads while it may hold its locks, so the upcall only
 * copies the text into a bounded queue (no I/O, never throws, never calls back into libsrt); a
 * listener thread drains it into the server's log ({@link #poll()}). Past {@link #CAPACITY} lines
 * waiting (a handshake flood), lines are counted and dropped.
 */
public final class LibSrtLog {

    static final int CAPACITY = 256;
    private static final int MAX_LINE = 400;

    private static final ArrayBlockingQueue<String> LINES = new ArrayBlockingQueue<>(CAPACITY);
    private static final AtomicLong DROPPED = new AtomicLong();

    private LibSrtLog() {
    }

    /** The {@code SRT_LOG_HANDLER_FN} upcall. */
    static void handle(MemorySegment opaque, int level, MemorySegment file, int line, MemorySegment area,
                       MemorySegment message) {
        try {
            String text = LibSrt.cString(message, MAX_LINE);
            if (text.contains("no pending connection available")) {
                return; // srt_accept on a non-blocking listener with nothing left: how the accept loop ends
            }
            if (!LINES.offer((level <= 3 ? "error: " : "") + text)) {
                DROPPED.incrementAndGet();
            }
        } catch (Throwable t) {
            DROPPED.incrementAndGet(); // an exception escaping an upcall ends the JVM
        }
    }

    /** The next waiting line, or null. */
    public static String poll() {
        return LINES.poll();
    }

    /** Lines dropped so far because the queue was full. */
    public static long dropped() {
        return DROPPED.get();
    }
}
