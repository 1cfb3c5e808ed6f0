package dev.vireo.webrtc.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Offers captured from Chromium 156 (headless, {@code RTCPeerConnection.createOffer()}):
 * recvonly video+audio, recvonly audio+video, recvonly video only, and a sendonly (WHIP-like)
 * offer with a canvas video track and a WebAudio track.
 */
final class ChromiumOffers {

    static final String RECVONLY_VIDEO_AUDIO = "chromium-recvonly-video-audio.sdp";
    static final String RECVONLY_AUDIO_VIDEO = "chromium-recvonly-audio-video.sdp";
    static final String RECVONLY_VIDEO = "chromium-recvonly-video.sdp";
    static final String SENDONLY_WHIP = "chromium-sendonly-whip.sdp";

    private ChromiumOffers() {
    }

    static String text(String name) {
        try (InputStream in = ChromiumOffers.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionDescription parse(String name) {
        return SessionDescription.parse(text(name));
    }
}
