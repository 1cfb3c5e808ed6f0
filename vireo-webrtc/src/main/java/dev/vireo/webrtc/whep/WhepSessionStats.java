package dev.vireo.webrtc.whep;

import dev.vireo.webrtc.whep.probe.ProbeClusterStats;

/**
 * What one WHEP session has done so far, for diagnostics and tests (values read while the
 * session runs are approximate).
 *
 * @param id session id (the last segment of its resource URL)
 * @param stream {@code /app/stream}
 * @param remoteAddress the browser's address the media goes to, null before ICE
 * @param srtpProfile the negotiated SRTP protection profile, null before DTLS completed
 * @param connected ICE and DTLS are done and the transport is open
 * @param connectMillis from the answer to DTLS completion, -1 before
 * @param firstFrameMillis from the answer to the first video frame sent, -1 before
 * @param framesSent video frames sent (GOP resends included)
 * @param keyframesSent keyframes among them
 * @param packetsSent SRTP and SRTCP packets sent
 * @param bytesSent RTP bytes (headers and payloads) sent
 * @param nacksReceived sequence numbers the browser reported lost (RFC 4585 generic NACK)
 * @param retransmissions packets resent for them (RTX or plain)
 * @param pliReceived picture loss indications
 * @param firReceived full intra requests
 * @param gopResends times the GOP was resent for a PLI/FIR
 * @param rttMillis round-trip time from the latest receiver report, -1 unknown
 * @param videoFractionLost loss fraction of the latest receiver report, -1 unknown
 * @param videoCumulativeLost packets lost in total per the receiver reports
 * @param videoJitter interarrival jitter in 90 kHz units, -1 unknown
 * @param rembBitrate the browser's latest REMB estimate in bit/s, -1 none
 * @param twccFeedbacks transport-wide congestion control feedback packets received
 * @param twccNotReceived packets those feedbacks reported as not received
 * @param framesSkipped frames the slow-viewer policy skipped
 * @param iceChecks valid ICE connectivity checks (and consent checks, RFC 7675) received
 * @param keyframesAsked keyframe requests this viewer passed on to the publisher (no keyframe cached)
 * @param endReason why the session ended, null while it runs
 * @param estimateBps the server's bandwidth estimate for this viewer (GCC on transport-cc
 *     feedback, bounded by REMB; REMB and receiver-report loss without transport-cc), bit/s; -1
 *     before any feedback
 * @param delayBasedBps the delay-based part of the estimate, bit/s
 * @param acknowledgedBps what the viewer's feedback says it received, bit/s; -1 unknown
 * @param sendBps what was sent to the viewer over the last second, bit/s; -1 before a second passed
 * @param pacedPackets video packets that left through the pacer (the estimate below the send rate)
 * @param rendition the rendition whose video the viewer gets ("source" or a template id), null
 *     without a ladder
 * @param renditionSwitches times the viewer's video moved to another rendition
 * @param audioRedPackets audio packets sent as RED (RFC 2198), 0 when RED was not negotiated
 * @param audioRedBlocks earlier Opus packets those repeated
 * @param fecPackets video ULPFEC packets sent (RFC 5109; only while the viewer's link loses packets)
 * @param fecOn whether the viewer gets video FEC now
 * @param nacksNotInHistory NACKed packets not resent: no longer in the retransmission history
 * @param nacksResentRecently NACKed packets not resent: resent less than about a round trip before
 * @param retransmissionsRefused NACKed packets not resent: the estimate left no room for them
 * @param nacksOfPreviousRendition NACKed packets not resent: they belonged to the rendition the
 *     viewer had before its last switch (the switch keyframe ends the need for them; not failures)
 * @param pacerQueuedPackets video packets waiting in the viewer's pacer (after its last drain)
 * @param pacerQueueMillis how long the oldest of them had waited, ms
 * @param paddingBytes padding sent to probe the link for the next rendition up (bytes)
 * @param probing whether the viewer is being sent that padding now
 * @param audioNacksReceived audio sequence numbers the peer reported lost (only where it
 *     negotiated NACK on the audio; Chromium does not)
 * @param audioRetransmissions audio packets resent for them
 * @param probeClusters the bandwidth probe clusters sent to find the way back up the ladder: counts
 *     per outcome and the last one's rates ({@link ProbeClusterStats#NONE} without a ladder)
 */
public record WhepSessionStats(String id, String stream, String remoteAddress, String srtpProfile, boolean connected,
                               long connectMillis, long firstFrameMillis, long framesSent, long keyframesSent,
                               long packetsSent, long bytesSent, long nacksReceived, long retransmissions,
                               long pliReceived, long firReceived, long gopResends, long rttMillis,
                               double videoFractionLost, long videoCumulativeLost, long videoJitter, long rembBitrate,
                               long twccFeedbacks, long twccNotReceived, long framesSkipped, long iceChecks,
                               long keyframesAsked, String endReason, long estimateBps, long delayBasedBps,
                               long acknowledgedBps, long sendBps, long pacedPackets, String rendition,
                               long renditionSwitches, long audioRedPackets, long audioRedBlocks, long fecPackets,
                               boolean fecOn, long nacksNotInHistory, long nacksResentRecently,
                               long retransmissionsRefused, long nacksOfPreviousRendition,
                               int pacerQueuedPackets, long pacerQueueMillis, long paddingBytes, boolean probing,
                               long audioNacksReceived, long audioRetransmissions,
                               ProbeClusterStats probeClusters) {
}
