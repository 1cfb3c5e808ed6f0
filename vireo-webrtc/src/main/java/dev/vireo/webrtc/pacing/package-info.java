/**
 * Send pacing per viewer: a token bucket at a multiple of the bandwidth estimate spreads bursts
 * ({@link dev.vireo.webrtc.pacing.SendPacer}); a probe cluster's packets leave at its rate
 * ({@link dev.vireo.webrtc.pacing.BitrateProber}). Pure.
 */
package dev.vireo.webrtc.pacing;
