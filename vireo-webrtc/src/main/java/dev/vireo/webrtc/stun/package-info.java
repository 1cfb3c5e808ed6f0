/**
 * STUN for ICE-lite (RFC 8489, RFC 8445 §7.3): {@link dev.vireo.webrtc.stun.StunMessage} parses
 * and classifies (RFC 7983) datagrams, {@link dev.vireo.webrtc.stun.StunMessageBuilder} writes
 * messages with MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT, {@link dev.vireo.webrtc.stun.StunBinding}
 * checks connectivity checks and answers them. Bad input throws
 * {@link dev.vireo.webrtc.stun.StunException} only.
 */
package dev.vireo.webrtc.stun;
