/**
 * RTP (RFC 3550, RFC 8285) and its payload formats: headers and header extensions, H.264
 * (RFC 6184) packetization into shared {@link dev.vireo.webrtc.rtp.PacketizedFrame}s and
 * depacketization, Opus (RFC 7587), RTX (RFC 4588) and the retransmission
 * {@link dev.vireo.webrtc.rtp.PacketHistory}. Bad input throws
 * {@link dev.vireo.webrtc.rtp.RtpException} only.
 */
package dev.vireo.webrtc.rtp;
