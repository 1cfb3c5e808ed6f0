/** Adaptive bitrate for WebRTC viewers: which rendition of a stream each gets, from its bandwidth estimate. Pure. */
package dev.vireo.webrtc.abr;
