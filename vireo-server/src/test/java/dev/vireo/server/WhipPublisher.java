package dev.vireo.server;

import dev.vireo.core.testing.Await;
import dev.vireo.webrtc.testing.Chromium;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A headless Chromium with its fake camera and microphone publishing from the server's publish
 * page over WHIP: the publisher of the browser-ingest tests in this module (beside
 * {@link BrowserFixture}, whose ffmpeg publishes over RTMP).
 */
final class WhipPublisher implements AutoCloseable {

    private final Chromium page;

    private WhipPublisher(Chromium page) {
        this.page = page;
    }

    /** A browser that can publish; no page open yet. */
    static WhipPublisher start(Path dir) throws IOException {
        return new WhipPublisher(Chromium.start(dir, Chromium.FAKE_MEDIA));
    }

    /** Opens the publish page at {@code url} (with {@code autostart=1}) and waits until it is live. */
    void publish(String url) {
        page.open(url);
        awaitLive();
    }

    /**
     * Opens the publish page at {@code url} (with {@code simulcast=1}) at 1 Mbps for the full layer
     * (the half layer 350 kbps, the quarter 125 kbps: Chromium turns a layer on once its uplink
     * estimate covers it, and a loaded machine keeps that estimate low), video only (so HTTP-FLV
     * plays the layers as they are, without an Opus → AAC transcode per layer), starts it and waits
     * until it is live.
     */
    void publishSimulcastVideo(String url) {
        page.open(url);
        page.js("const md = navigator.mediaDevices, gum = md.getUserMedia.bind(md);"
                + "md.getUserMedia = c => gum(Object.assign({}, c, { audio: false }));"
                + "document.getElementById('bitrate').value = 1000; vireo.start();");
        awaitLive();
    }

    private void awaitLive() {
        Await.until(Duration.ofSeconds(30), () -> "the publish page is live: " + page.js("return vireo.state") + " "
                + page.js("return vireo.error"), () -> "live".equals(page.js("return vireo.state")));
    }

    /** What Chromium says it sends per video layer (size, rate, why it is limited) and its uplink estimate. */
    Object sent() {
        return page.jsAsync("const done = arguments[arguments.length - 1];"
                + "vireo.pc.getStats().then(r => { const o = []; r.forEach(s => {"
                + " if (s.type === 'outbound-rtp' && s.kind === 'video') o.push(s.rid + ' ' + s.frameWidth + 'x'"
                + " + s.frameHeight + ' ' + s.framesPerSecond + 'fps ' + Math.round(s.targetBitrate / 1000) + 'kbps'"
                + " + ' active=' + s.active + ' limit=' + s.qualityLimitationReason);"
                + " if (s.type === 'candidate-pair' && s.nominated) o.push('bwe ' + s.availableOutgoingBitrate);"
                + " }); done(o.join('; ')); }).catch(e => done(String(e)));");
    }

    /** Stops on the page: its WHIP DELETE ends the publish. */
    void stop() {
        page.js("vireo.stop()");
    }

    /** The browser, for the page's own state and statistics. */
    Chromium page() {
        return page;
    }

    @Override
    public void close() {
        page.close();
    }
}
