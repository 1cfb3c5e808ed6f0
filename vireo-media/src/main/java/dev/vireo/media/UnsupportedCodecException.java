package dev.vireo.media;

/**
 * Well-formed input that carries a codec Vireo does not handle (for example VP9 in enhanced RTMP,
 * Speex audio in FLV). A caller may drop that track instead of closing the session.
 */
public class UnsupportedCodecException extends MediaFormatException {

    public UnsupportedCodecException(String message) {
        super(message);
    }
}
