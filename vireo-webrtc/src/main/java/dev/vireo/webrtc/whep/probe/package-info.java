/**
 * Bandwidth probing for a WHEP viewer that ABR moved down its ladder: what a probe cluster sends
 * ({@link dev.vireo.webrtc.whep.probe.ProbePackets}: media packets again on the RTX stream, or
 * padding) and when ({@link dev.vireo.webrtc.whep.probe.ProbeClusters}, driving the pure
 * {@code bwe.ProbeController} and {@code pacing.BitrateProber}), so the estimate can grow back
 * when the link does; what became of the clusters ({@link dev.vireo.webrtc.whep.probe.ProbeOutcomes},
 * {@link dev.vireo.webrtc.whep.probe.ProbeClusterStats}) for the session's stats and the metrics.
 */
package dev.vireo.webrtc.whep.probe;
