package dev.vireo.server;

import dev.vireo.webrtc.whep.WhepSessionStats;
import dev.vireo.webrtc.whep.probe.ProbeClusterStats;
import java.util.List;

/**
 * The {@code webrtc} section of a stream in {@code GET /api/v1/streams}: one entry per WHEP viewer
 * session playing it, with what its congestion control, ABR and loss handling do now (issue 18).
 * Absent (null) for a stream without WHEP viewers.
 */
final class WebRtcStreamView {

    /**
     * One viewer session. Counters are totals since the session started; rates in bit/s, -1 while
     * unknown.
     *
     * @param estimateBps the server's bandwidth estimate for the viewer (GCC on transport-cc feedback)
     * @param rendition the rendition its video comes from ("source" or a template id), null without a ladder
     * @param videoFractionLost the loss fraction of the viewer's latest receiver report (0–1), -1 unknown
     * @param nacksOfPreviousRendition NACKs ignored because they named the rendition before the last switch
     * @param pacerQueuedPackets video packets waiting in the viewer's pacer
     * @param probing whether padding is sent to probe for the next rendition up
     * @param probeClusters the probe clusters sent for it: per outcome ({@code sent}, {@code abandoned},
     *     {@code cameThrough}, {@code delayGrowth}, {@code loss}, {@code tooFew}, {@code invalid}) and the
     *     last verdict with its target, send and delivered rates
     */
    record Session(String id, String remoteAddress, boolean connected, long estimateBps, long sendBps,
                   long acknowledgedBps, String rendition, long renditionSwitches, long rttMillis,
                   double videoFractionLost, long videoCumulativeLost, long nacksReceived, long retransmissions,
                   long retransmissionsRefused, long nacksNotInHistory, long nacksOfPreviousRendition,
                   long pliReceived, boolean fecOn, long fecPackets, long pacedPackets, int pacerQueuedPackets,
                   long pacerQueueMillis, boolean probing, long paddingBytes, long framesSent, long bytesSent,
                   ProbeClusterStats probeClusters) {

        static Session of(WhepSessionStats s) {
            return new Session(s.id(), s.remoteAddress(), s.connected(), s.estimateBps(), s.sendBps(),
                    s.acknowledgedBps(), s.rendition(), s.renditionSwitches(), s.rttMillis(), s.videoFractionLost(),
                    s.videoCumulativeLost(), s.nacksReceived(), s.retransmissions(), s.retransmissionsRefused(),
                    s.nacksNotInHistory(), s.nacksOfPreviousRendition(), s.pliReceived(), s.fecOn(), s.fecPackets(),
                    s.pacedPackets(), s.pacerQueuedPackets(), s.pacerQueueMillis(), s.probing(), s.paddingBytes(),
                    s.framesSent(), s.bytesSent(), s.probeClusters());
        }
    }

    private WebRtcStreamView() {
    }

    /** The section from a stream's sessions, or null when it has none. */
    static List<Session> of(List<WhepSessionStats> sessions) {
        return sessions.isEmpty() ? null : sessions.stream().map(Session::of).toList();
    }
}
