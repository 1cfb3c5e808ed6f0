package dev.vireo.http.hls;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamKey;
import java.util.List;
import java.util.Optional;

/**
 * What a master playlist lists besides the source: the transcoding templates that apply to a
 * stream (its domain's), and how to sign their playlist URLs. Wired by the server from the
 * control plane; answers from memory (called on event loops).
 */
public interface Renditions {

    /**
     * A template rendition of a source, played as {@code {stream}_{id}}.
     *
     * @param width 0 when the template gives only a height (the width follows the source's shape)
     * @param height 0 when the template gives only a width
     * @param videoCodec {@code h264} or {@code h265}
     * @param audioCodec {@code aac} or {@code opus}
     */
    record Rendition(String id, String videoCodec, int width, int height, int fps, int videoKbps, String audioCodec,
                     int audioKbps) {
    }

    /** The renditions of {@code source} (its account's templates), in the order to list them. */
    List<Rendition> of(StreamKey source);

    /**
     * The {@code auth_key} for playing {@code uri} ({@code /{app}/{stream}/llhls.m3u8}) with the
     * same timestamp, rand and uid as the admitted request {@code admitted} carried, so a variant
     * expires with the master; empty when the domain does not sign (or the request had no key).
     */
    Optional<String> resign(Gate.AccessRequest admitted, String uri);

    /** No renditions: the master lists the source only. */
    Renditions NONE = new Renditions() {
        @Override
        public List<Rendition> of(StreamKey source) {
            return List.of();
        }

        @Override
        public Optional<String> resign(Gate.AccessRequest admitted, String uri) {
            return Optional.empty();
        }
    };
}
