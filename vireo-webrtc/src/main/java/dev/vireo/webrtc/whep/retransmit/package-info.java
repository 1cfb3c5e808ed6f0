/**
 * A WHEP viewer's answers to lost packets (RFC 4585 §6.2.1 generic NACK): its video's RTX stream
 * (RFC 4588, {@link dev.vireo.webrtc.whep.retransmit.RtxStream}), the frames it was sent
 * ({@link dev.vireo.webrtc.whep.retransmit.RetransmissionBuffer}), the NACK answering with its
 * guards ({@link dev.vireo.webrtc.whep.retransmit.VideoRetransmitter}: resend interval, the
 * previous rendition, FEC packets' numbers) and budget
 * ({@link dev.vireo.webrtc.whep.retransmit.RetransmissionBudget}), and audio resent as sent
 * ({@link dev.vireo.webrtc.whep.retransmit.AudioRetransmitter}). The RTCP side is
 * {@code feedback.NackResponder}; the send path that fills the history is {@code whep.RtpSender}.
 */
package dev.vireo.webrtc.whep.retransmit;
