/**
 * RTP (RFC 3550, RFC 8285) and its payload formats: headers and header extensions, H.264
 * (RFC 6184) and AV1 (AOMedia AV1 RTP payload format v1.0) packetization into shared
 * {@link dev.vireo.webrtc.rtp.PacketizedFrame}s and depacketization, Opus (RFC 7587), RTX
 * (RFC 4588), redundancy (RED, RFC 2198) and forward error correction (ULPFEC, RFC 5109), and
 * {@link dev.vireo.webrtc.rtp.RtpPayloads}, the form in which a frame's payloads are shared by
 * every WHEP viewer. The per-viewer retransmission history is
 * {@code whep.retransmit.RetransmissionBuffer} (it references the frame's shared payload buffer,
 * which is what the WHEP path keeps). Bad input throws
 * {@link dev.vireo.webrtc.rtp.RtpException} only.
 */
package dev.vireo.webrtc.rtp;
