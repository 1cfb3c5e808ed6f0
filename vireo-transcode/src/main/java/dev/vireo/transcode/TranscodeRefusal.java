package dev.vireo.transcode;

/**
 * A request the transcoder will not serve, with the reason the viewer gets (the hub turns it into
 * its SOURCE_REFUSED answer: HTTP 404 with the text, RTMP Play.StreamNotFound with it).
 */
final class TranscodeRefusal extends RuntimeException {

    TranscodeRefusal(String reason) {
        super(reason, null, false, false);
    }
}
