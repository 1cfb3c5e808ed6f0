package dev.vireo.webrtc.transport;

/**
 * Traffic counters of one peer's transport, for its session's stats: what went out, what came in
 * and what SRTP refused. Plain fields: written on the session's loop only.
 */
public final class PeerCounters {

    private long packetsSent;
    private long bytesSent;
    private long rtcpReceived;
    private long srtcpRejected;
    private long rtpReceived;
    private long bytesReceived;
    private long srtpRejected;

    public void sent(int packets, int bytes) {
        packetsSent += packets;
        bytesSent += bytes;
    }

    public void rtcpReceived() {
        rtcpReceived++;
    }

    public void srtcpRejected() {
        srtcpRejected++;
    }

    public void rtpReceived(int bytes) {
        rtpReceived++;
        bytesReceived += bytes;
    }

    /** @return the count including this one (1 for the first) */
    public long srtpRejected() {
        return ++srtpRejected;
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long rtcpReceivedCount() {
        return rtcpReceived;
    }

    public long srtcpRejectedCount() {
        return srtcpRejected;
    }

    public long rtpReceivedCount() {
        return rtpReceived;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long srtpRejectedCount() {
        return srtpRejected;
    }
}
