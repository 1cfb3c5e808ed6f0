/**
 * Send-side bandwidth estimation per viewer, Google Congestion Control
 * (draft-ietf-rmcat-gcc-02) as libwebrtc runs it: {@link dev.vireo.webrtc.bwe.BandwidthEstimator}
 * is the facade a session feeds (packets sent with their transport-wide sequence numbers,
 * transport-cc feedback, REMB, receiver report loss, RTT) and reads the estimate from; probing
 * as libwebrtc probes: {@link dev.vireo.webrtc.bwe.ProbeController} (when, at which rate),
 * {@link dev.vireo.webrtc.bwe.ProbeBitrateEstimator} (what a cluster's feedback says). Pure: no
 * sockets, threads or clocks; every input carries its time.
 */
package dev.vireo.webrtc.bwe;
