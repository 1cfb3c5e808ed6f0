package dev.vireo.webrtc.whep;

import dev.vireo.core.StreamKey;

/**
 * A lower rendition a WHEP viewer may be moved to when its link cannot carry the stream: a
 * transcoded variant ({@code {stream}_{templateId}}, started on demand and shared by every viewer
 * that plays it), with the bitrate it is made at.
 *
 * @param key        the variant's stream
 * @param name       what the stats show (the template id)
 * @param bitrateBps video and audio bitrate of the template
 */
public record Rendition(StreamKey key, String name, long bitrateBps) {
}
