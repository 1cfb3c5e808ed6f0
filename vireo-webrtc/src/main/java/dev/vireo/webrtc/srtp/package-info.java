/**
 * SRTP and SRTCP (RFC 3711) with AES_CM_128_HMAC_SHA1_80/_32 and AEAD_AES_128_GCM (RFC 7714), keyed
 * from DTLS-SRTP (RFC 5764): {@link dev.vireo.webrtc.srtp.SrtpKeyingMaterial} splits the exported
 * keys, {@link dev.vireo.webrtc.srtp.SrtpContext} protects and unprotects packets in place.
 * Refused packets throw {@link dev.vireo.webrtc.srtp.SrtpException} only.
 */
package dev.vireo.webrtc.srtp;
