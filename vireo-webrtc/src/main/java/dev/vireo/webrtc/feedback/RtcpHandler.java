package dev.vireo.webrtc.feedback;

import dev.vireo.webrtc.rtcp.RtcpPacket;

/**
 * One concern of a session's RTCP feedback (answering NACKs, keyframe requests, report
 * statistics, bandwidth estimates...), in the spirit of pion's interceptors: each handler sees
 * every packet of every compound the peer sends and acts on the kinds it cares about. Handlers
 * run on the session's event loop, one after the other, in the order of the {@link RtcpChain}.
 */
@FunctionalInterface
public interface RtcpHandler {

    void handle(RtcpPacket packet, long nowNanos);
}
