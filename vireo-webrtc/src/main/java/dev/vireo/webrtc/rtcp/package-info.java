/**
 * RTCP (RFC 3550 §6) and its feedback messages: reports, SDES, BYE, generic NACK and PLI
 * (RFC 4585), FIR (RFC 5104), REMB and transport-wide congestion control feedback, parsed and
 * written by {@link dev.vireo.webrtc.rtcp.RtcpCompound}; {@link dev.vireo.webrtc.rtcp.RtcpDemux}
 * tells RTCP from RTP (RFC 5761). Bad input throws {@link dev.vireo.webrtc.rtcp.RtcpException} only.
 */
package dev.vireo.webrtc.rtcp;
