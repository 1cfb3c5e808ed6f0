package dev.vireo.media;

/**
 * Bytes that do not follow the format they claim to be in (AMF, FLV, a codec bitstream, ...).
 * The message says what was wrong and is meant for the log (and, where the protocol allows, for
 * the peer). Every parser in this module throws only this type (or a subtype) on bad input.
 */
public class MediaFormatException extends RuntimeException {

    public MediaFormatException(String message) {
        super(message);
    }

    public MediaFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
