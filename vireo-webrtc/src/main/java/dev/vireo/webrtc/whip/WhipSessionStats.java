package dev.vireo.webrtc.whip;

import java.util.List;

/**
 * A snapshot of one WHIP publisher's session, for the API and tests.
 *
 * @param id                 session id (the last segment of its Location)
 * @param stream             the stream path it publishes ("/live/cam")
 * @param remoteAddress      the publisher's media address, null before ICE
 * @param srtpProfile        the negotiated SRTP protection profile, null before DTLS
 * @param connected          ICE and DTLS done
 * @param connectMillis      offer to SRTP keys, -1 before
 * @param videoCodec         the video codec received, null without video
 * @param audioCodec         the audio codec received, null without audio
 * @param videoFrames        video frames published into the hub
 * @param keyframes          of them keyframes
 * @param audioFrames        audio frames published
 * @param packetsReceived    RTP packets received (SRTP authenticated)
 * @param bytesReceived      their bytes
 * @param packetsLost        packets given up on after waiting (not recovered)
 * @param nacksSent          sequence numbers asked for again (generic NACK)
 * @param recovered          NACKed packets that arrived in time (retransmissions)
 * @param pliSent            picture loss indications sent (undecodable gap, new viewer)
 * @param twccFeedbacks      transport-cc feedback packets sent
 * @param jitterMillis       interarrival jitter of the video (else audio) stream
 * @param senderReports      sender reports received (0 for OBS: RTP timestamps + arrival place the media)
 * @param rembSent           REMB estimates sent (with transport-cc, where the offer has goog-remb)
 * @param rembBitrate        the last REMB estimate in bit/s, -1 before one
 * @param endReason          why it ended, null while live
 * @param rtxReceived        retransmissions that came as RTX (RFC 4588; 0 when RTX was not negotiated)
 * @param nackRttMillis      measured time from a NACK to the packet's arrival, -1 before one
 * @param simulcastLayers    the simulcast layers received (empty without simulcast), in the offer's order
 * @param mainLayerMoves     times the main stream changed simulcast layer (the first choice included)
 */
public record WhipSessionStats(String id, String stream, String remoteAddress, String srtpProfile, boolean connected,
                               long connectMillis, String videoCodec, String audioCodec, long videoFrames,
                               long keyframes, long audioFrames, long packetsReceived, long bytesReceived,
                               long packetsLost, long nacksSent, long recovered, long pliSent, long twccFeedbacks,
                               double jitterMillis, long senderReports, long rembSent, long rembBitrate,
                               String endReason, long rtxReceived, double nackRttMillis, List<Layer> simulcastLayers,
                               long mainLayerMoves) {

    public WhipSessionStats {
        simulcastLayers = List.copyOf(simulcastLayers);
    }

    /**
     * One simulcast layer (RFC 8853) of the publisher.
     *
     * @param rid       its RtpStreamId
     * @param stream    the stream it is published as ({@code /{app}/{stream}~{rid}})
     * @param size      its picture size ("1280x720"), "?" before its parameter sets
     * @param frames    frames received
     * @param keyframes of them keyframes
     * @param live      whether it sent a frame within the last second (Chromium pauses layers on a slow uplink)
     * @param main      whether the main stream carries it now
     */
    public record Layer(String rid, String stream, String size, long frames, long keyframes, boolean live,
                        boolean main) {
    }
}
