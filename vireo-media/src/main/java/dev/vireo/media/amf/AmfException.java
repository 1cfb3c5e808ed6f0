package dev.vireo.media.amf;

import dev.vireo.media.MediaFormatException;

/** Malformed or over-limit AMF0/AMF3 data. */
public class AmfException extends MediaFormatException {

    public AmfException(String message) {
        super(message);
    }
}
