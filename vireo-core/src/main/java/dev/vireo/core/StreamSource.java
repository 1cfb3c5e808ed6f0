package dev.vireo.core;

/**
 * Something that can publish a stream on demand: a transcoding template ({@code demo_lhd}), the
 * browser variant of a stream (AAC→Opus, no B-frames), later an edge pulling from its origin.
 * When a viewer asks for a key that nobody publishes, the hub asks its sources in turn; the
 * first that accepts starts producing (asynchronously) and publishes into the hub under that key
 * like any publisher. Meanwhile the viewer is attached and waits, up to the hub's
 * {@link HubConfig#onDemandStartTimeout()}.
 */
@FunctionalInterface
public interface StreamSource {

    /**
     * A viewer wants {@code key} and nothing is published there. Return true when this source
     * will publish it (start the work without blocking: this runs on the viewer's event loop),
     * false when the key is not one of this source's. Throwing refuses the viewer with the
     * exception's message (e.g. "unknown template", "transcoder capacity reached").
     */
    boolean demand(StreamKey key);
}
