/**
 * Bandwidth probing for a WHEP viewer that ABR moved down its ladder: what it sends
 * ({@link dev.vireo.webrtc.whep.probe.ProbePackets}: media packets again on the RTX stream, or
 * padding) and when ({@link dev.vireo.webrtc.whep.probe.ProbePadding}), so the estimate can grow
 * back when the link does.
 */
package dev.vireo.webrtc.whep.probe;
