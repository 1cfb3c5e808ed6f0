package dev.vireo.webrtc.srtp;

/**
 * The per-SSRC part of a cryptographic context (RFC 3711 §3.2.1): rollover counter and highest
 * sequence number for SRTP, the SRTCP index, and the replay lists of a receiver.
 */
final class SsrcState {

    final int ssrc;
    /** ROC and s_l (RFC 3711 §3.3.1); valid once {@link #rtpStarted}. */
    int roc;
    int highestSeq;
    boolean rtpStarted;
    ReplayWindow rtpReplay;
    /** The next SRTCP index to send (RFC 3711 §3.4). */
    int nextSrtcpIndex;
    ReplayWindow rtcpReplay;
    long lastUse;

    SsrcState(int ssrc) {
        this.ssrc = ssrc;
    }

    /** Whether a received packet's {@code index} is replayed or too old (RFC 3711 §3.3.2) for its replay list. */
    boolean replayed(boolean rtcp, long index) {
        ReplayWindow w = rtcp ? rtcpReplay : rtpReplay;
        return w != null && !w.check(index);
    }

    /**
     * Records the {@code index} of a received SRTP ({@code rtcp} false) or SRTCP packet that
     * authenticated in its replay list, made for the first one.
     */
    void accept(boolean rtcp, long index) {
        ReplayWindow w = rtcp ? rtcpReplay : rtpReplay;
        if (w == null) {
            w = new ReplayWindow(rtcp ? SrtpContext.RTCP_REPLAY_WINDOW : SrtpContext.RTP_REPLAY_WINDOW);
            if (rtcp) {
                rtcpReplay = w;
            } else {
                rtpReplay = w;
            }
        }
        w.accept(index);
    }

    /**
     * The packet index of {@code seq} estimated from ROC and s_l, RFC 3711 §3.3.1 and Appendix A.
     * Negative when the packet would precede the start of the stream (v = ROC - 1 with ROC = 0).
     */
    static long estimateIndex(int roc, int highestSeq, int seq) {
        long r = roc & 0xFFFF_FFFFL;
        long v;
        if (highestSeq < 32768) {
            v = seq - highestSeq > 32768 ? r - 1 : r;
        } else {
            v = highestSeq - 32768 > seq ? r + 1 : r;
        }
        return v < 0 ? -1 : v << 16 | seq;
    }

    /** The index of {@code seq} in this stream; the first packet starts it with ROC 0. */
    long index(int seq) {
        return rtpStarted ? estimateIndex(roc, highestSeq, seq) : seq;
    }

    /** Updates ROC and s_l after a packet with {@code index} was sent or authenticated (§3.3.1). */
    void update(long index) {
        long current = (roc & 0xFFFF_FFFFL) << 16 | highestSeq;
        if (!rtpStarted || index > current) {
            roc = (int) (index >>> 16);
            highestSeq = (int) (index & 0xFFFF);
            rtpStarted = true;
        }
    }
}
