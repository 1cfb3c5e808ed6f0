/**
 * SDP for WHEP/WHIP (RFC 8866, RFC 3264, RFC 8829 JSEP): {@link dev.vireo.webrtc.sdp.SessionDescription}
 * parses a browser's offer into typed views (codecs, extmaps, ICE and DTLS parameters, ssrcs);
 * {@link dev.vireo.webrtc.sdp.AnswerBuilder} answers it as a send-only ICE-lite server and says
 * what was negotiated ({@link dev.vireo.webrtc.sdp.Answer}, {@link dev.vireo.webrtc.sdp.NegotiatedMedia}).
 * Bad input throws {@link dev.vireo.webrtc.sdp.SdpException} only.
 */
package dev.vireo.webrtc.sdp;
