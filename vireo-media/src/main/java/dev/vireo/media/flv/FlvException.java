package dev.vireo.media.flv;

import dev.vireo.media.MediaFormatException;

/** A malformed FLV file, tag or tag body. */
public class FlvException extends MediaFormatException {

    public FlvException(String message) {
        super(message);
    }
}
