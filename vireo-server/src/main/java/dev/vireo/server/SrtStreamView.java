package dev.vireo.server;

import dev.vireo.core.StreamKey;
import dev.vireo.srt.SrtSessionView;
import dev.vireo.srt.lib.SrtStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@code srt} section of a stream in {@code GET /api/v1/streams}: its SRT publisher (null when
 * published otherwise) and its SRT players, each with libsrt's numbers ({@code srt_bstats},
 * refreshed every second). Absent (null) for a stream with no SRT session.
 */
record SrtStreamView(Session publisher, List<Session> players) {

    /**
     * One SRT session. Counters are totals since the connection started; {@code lostPackets} is the
     * receive gaps plus the losses the peer reported, before retransmission; {@code droppedPackets}
     * came too late to play (unrecovered). The numbers are 0 before libsrt's first sample.
     */
    record Session(String sessionId, String peer, long uptimeMillis, long frames, long mpegTsProblems,
                   double rttMs, long packetsReceived, long packetsSent, long lostPackets,
                   long retransmittedPackets, long retransmittedReceivedPackets, long droppedPackets,
                   long bytesReceived, long bytesSent, double receiveMbps, double sendMbps, int receiveBufferMs) {

        static Session of(SrtSessionView v) {
            SrtStats s = v.stats();
            if (s == null) {
                return new Session(v.sessionId(), v.peer(), v.uptimeMillis(), v.frames(), v.mpegTsProblems(),
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            }
            return new Session(v.sessionId(), v.peer(), v.uptimeMillis(), v.frames(), v.mpegTsProblems(),
                    s.rttMs(), s.packetsReceived(), s.packetsSent(), s.receiveLoss() + s.sendLoss(),
                    s.retransmitted(), s.retransmittedReceived(), s.receiveDropped() + s.sendDropped(),
                    s.bytesReceived(), s.bytesSent(), s.receiveMbps(), s.sendMbps(), s.receiveBufferMs());
        }
    }

    /** The section for {@code key} from the current sessions, or null when none is on that stream. */
    static SrtStreamView of(StreamKey key, Collection<SrtSessionView> sessions) {
        Session publisher = null;
        List<Session> players = new ArrayList<>();
        for (SrtSessionView v : sessions) {
            if (!v.key().equals(key)) {
                continue;
            }
            if ("publish".equals(v.role())) {
                publisher = Session.of(v);
            } else {
                players.add(Session.of(v));
            }
        }
        return publisher == null && players.isEmpty() ? null : new SrtStreamView(publisher, List.copyOf(players));
    }
}
