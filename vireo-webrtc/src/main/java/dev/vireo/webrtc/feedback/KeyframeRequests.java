package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.FullIntraRequest;
import dev.vireo.webrtc.rtcp.PictureLossIndication;
import dev.vireo.webrtc.rtcp.RtcpPacket;

/**
 * The peer asks for a keyframe of one sent stream: PLI (RFC 4585 §6.3.1) or FIR (RFC 5104
 * §4.3.1). Counts them and tells the session, which decides how to answer (a cached GOP, or a
 * request to the publisher).
 */
public final class KeyframeRequests implements RtcpHandler {

    /** What the session does on a request; {@code kind} is "PLI" or "FIR". */
    @FunctionalInterface
    public interface Listener {
        void onKeyframeRequest(String kind, long nowNanos);
    }

    private final int ssrc;
    private final Listener listener;
    private long pli;
    private long fir;

    public KeyframeRequests(int ssrc, Listener listener) {
        this.ssrc = ssrc;
        this.listener = listener;
    }

    @Override
    public void handle(RtcpPacket packet, long nowNanos) {
        switch (packet) {
            case PictureLossIndication p when p.mediaSsrc() == ssrc -> {
                pli++;
                listener.onKeyframeRequest("PLI", nowNanos);
            }
            case FullIntraRequest f when f.entries().stream().anyMatch(e -> e.ssrc() == ssrc) -> {
                fir++;
                listener.onKeyframeRequest("FIR", nowNanos);
            }
            default -> {
            }
        }
    }

    public long pli() {
        return pli;
    }

    public long fir() {
        return fir;
    }
}
