/** Send pacing per viewer: a token bucket at a multiple of the bandwidth estimate spreads bursts. Pure. */
package dev.vireo.webrtc.pacing;
