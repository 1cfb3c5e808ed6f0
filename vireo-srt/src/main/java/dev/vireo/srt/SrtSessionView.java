package dev.vireo.srt;

import dev.vireo.core.StreamKey;
import dev.vireo.srt.lib.SrtStats;

/**
 * One SRT session as the API and metrics show it: who, what, and libsrt's numbers
 * ({@code srt_bstats}, refreshed every second; null before the first sample).
 *
 * @param role "publish" or "play"
 * @param mpegTsProblems what the demuxer found lost or damaged in a publisher's MPEG-TS (0 for players)
 */
public record SrtSessionView(String sessionId, StreamKey key, String role, String peer, long frames,
                             long mpegTsProblems, long uptimeMillis, SrtStats stats) {

    static SrtSessionView of(SrtSession s) {
        return new SrtSessionView(s.log.sessionId(), s.key, s.role(), s.log.peer(), s.frames(),
                s instanceof SrtPublisher p ? p.problems() : 0, (System.nanoTime() - s.startedNanos) / 1_000_000, s.stats);
    }
}
