package dev.vireo.srt;

import dev.vireo.core.StreamKey;
import dev.vireo.srt.lib.SrtStats;

/**
 * One accepted SRT connection, publishing or playing. Lives on its listener's {@link SrtLoop}
 * thread: every method is called there.
 */
abstract sealed class SrtSession permits SrtPublisher, SrtPlayer {

    final int socket;
    final StreamKey key;
    final SessionLog log;
    final long startedNanos = System.nanoTime();
    /** The latest {@code srt_bstats} sample (refreshed every second by the loop), or null. */
    volatile SrtStats stats;

    SrtSession(int socket, StreamKey key, SessionLog log) {
        this.socket = socket;
        this.key = key;
        this.log = log;
    }

    /** "publish" or "play". */
    abstract String role();

    /** Detaches from the hub and releases buffers; the loop closes the socket. */
    abstract void release();

    /** Frames handed to (publish) or taken from (play) the hub so far. */
    abstract long frames();

    /** A line of numbers for the log when the session ends. */
    abstract String summary();
}
