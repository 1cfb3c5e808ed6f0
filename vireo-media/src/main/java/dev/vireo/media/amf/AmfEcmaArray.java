package dev.vireo.media.amf;

import java.util.Map;
import java.util.Objects;

/**
 * A value to be written as an AMF0 ECMA array (marker 0x08) rather than an anonymous object, as
 * {@code onMetaData} traditionally is. Readers return ECMA arrays as plain maps.
 */
public record AmfEcmaArray(Map<String, ?> entries) {

    public AmfEcmaArray {
        Objects.requireNonNull(entries, "entries");
    }
}
