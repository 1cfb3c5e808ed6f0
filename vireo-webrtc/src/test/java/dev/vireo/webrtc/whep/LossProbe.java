package dev.vireo.webrtc.whep;

import static dev.vireo.webrtc.testing.Chromium.field;

import dev.vireo.core.testing.Await;
import dev.vireo.webrtc.testing.Chromium;
import dev.vireo.webrtc.testing.ShapingRelay;
import java.time.Duration;
import java.util.Map;

/**
 * What a Chromium viewer on the player page lived through over a window of playback: video
 * frames decoded and presented (gaps between presented frames measured in the page with
 * {@code requestVideoFrameCallback}), getStats' freezes, audio concealment, the receive-side
 * delay (RTT/2 plus the jitter buffer's) and what the server and the relay did meanwhile.
 */
final class LossProbe {

    /** Records, in the page, the gaps between video frames presented for composition. */
    private static final String GAP_PROBE = """
            const v = document.getElementById('video');
            window.vireoGaps = {frames: 0, max: 0, last: 0, over200: 0, over500: 0};
            const tick = (now) => {
              const g = window.vireoGaps;
              if (g.last > 0) {
                const gap = now - g.last;
                g.max = Math.max(g.max, gap);
                if (gap > 200) { g.over200++; }
                if (gap > 500) { g.over500++; }
              }
              g.last = now;
              g.frames++;
              v.requestVideoFrameCallback(tick);
            };
            v.requestVideoFrameCallback(tick);
            """;

    /**
     * One window's figures.
     *
     * @param seconds the window
     * @param framesDecoded video frames Chromium decoded in it
     * @param framesPresented video frames the page presented
     * @param freezes getStats {@code freezeCount} in the window
     * @param freezeSeconds getStats {@code totalFreezesDuration} in the window
     * @param maxGapMillis the longest gap between two presented frames
     * @param gapsOver500 gaps over 500 ms
     * @param audioConcealed concealed share of the audio samples received in the window
     * @param rttMillis the server's last RTT from Chromium's receiver reports, -1 unknown
     * @param jitterBufferMillis video jitter buffer delay per frame over the window
     * @param nacks sequence numbers NACKed to the server in the window
     * @param retransmissions packets the server resent
     * @param keyframeRequests PLI and FIR the server received
     * @param dropped RTP packets the relay dropped on the way to Chromium
     * @param notInHistory NACKed packets the server no longer had
     * @param fecPackets ULPFEC packets the server sent
     * @param framesDroppedByBrowser getStats {@code framesDropped}: frames received but not decoded
     * @param senderGapMillis the longest gap between two video frames as the server emitted them
     *     (seen at the relay before any loss): the server's and the source's own pauses
     * @param relayOwnMillis the longest the relay held a packet beyond its link model: its own stalls
     * @param kernelDrops datagrams the kernel dropped at the relay's full socket buffers
     * @param load the machine's 1-minute load average at the window's end
     * @param refused NACKed packets not resent because the estimate's retransmission budget was spent
     */
    record Window(double seconds, double framesDecoded, double framesPresented, double freezes,
                  double freezeSeconds, double maxGapMillis, double gapsOver500, double audioConcealed,
                  long rttMillis, double jitterBufferMillis, long nacks, long retransmissions, long keyframeRequests,
                  long dropped, long notInHistory, long fecPackets, double framesDroppedByBrowser,
                  double senderGapMillis, double relayOwnMillis, long kernelDrops, double load, long refused) {

        /** Frames decoded as a share of the source's 30 fps. */
        double decodedShare() {
            return framesDecoded / (30 * seconds);
        }

        double freezesPerMinute() {
            return freezes * 60 / seconds;
        }

        String row(String condition) {
            return String.format("| %s | %.1f | %.0f %% | %.2f s | %.0f ms | %.0f | %.1f %% | %d + %.0f ms | %d / %d / %d"
                            + " / %d / %d | %d | %.0f | %.0f / %.0f ms | %d | %.0f |", condition, freezesPerMinute(),
                    decodedShare() * 100, freezeSeconds, maxGapMillis, gapsOver500, audioConcealed * 100,
                    rttMillis / 2, jitterBufferMillis, nacks, retransmissions, notInHistory, refused, keyframeRequests,
                    fecPackets, framesDroppedByBrowser, senderGapMillis, relayOwnMillis, kernelDrops, load);
        }
    }

    static final String HEADER = "| link | freezes/min | frames decoded | frozen | longest gap | gaps > 500 ms"
            + " | audio concealed | RTT/2 + jitter buffer | NACKed / resent / gone / refused / PLI | FEC packets"
            + " | dropped by Chromium | server's longest frame gap / relay's own delay | kernel drops | load |";
    static final String SEPARATOR = "|" + " --- |".repeat(HEADER.split("\\|", -1).length - 2);

    private LossProbe() {
    }

    /** Opens the player of {@code path} on {@code rig}, waits for video and audio, unmutes, and starts the gap probe. */
    static void play(Chromium chromium, WhepRig rig, String path) {
        chromium.open(rig.url("/play" + path));
        Await.until(Duration.ofSeconds(40), "Chromium decodes video and audio of " + path, () ->
                field(chromium.inboundRtp("vireo.pc", "video"), "framesDecoded") > 0
                        && field(chromium.inboundRtp("vireo.pc", "audio"), "totalSamplesReceived") > 0
                        || chromium.number("vireo.error === null ? null : 1") > 0);
        Object error = chromium.js("return window.vireo.error");
        if (error != null) {
            throw new AssertionError("player error: " + error);
        }
        chromium.jsAsync("const done = arguments[arguments.length - 1];"
                + "const v = document.getElementById('video'); v.muted = false;"
                + "v.play().then(() => done(true)).catch(e => done(String(e)));");
        chromium.js(GAP_PROBE);
    }

    /** Plays on for {@code seconds} (wall clock, by waiting on the page's presented frames) and reports the window. */
    static Window measure(Chromium chromium, WhepSessionStatsSource session, ShapingRelay relay, int seconds) {
        Start start = begin(chromium, session, relay);
        // the window ends when the audio clock (paced by the source) has moved on by `seconds`
        Await.until(Duration.ofSeconds(seconds * 3L + 10), seconds + " s of playback", () ->
                field(chromium.inboundRtp("vireo.pc", "audio"), "totalSamplesReceived")
                        >= start.samples0() + seconds * 48_000.0
                        || System.nanoTime() - start.t0() > seconds * 2_000_000_000L);
        return end(chromium, start);
    }

    /** Where a window started: the figures then. */
    record Start(WhepSessionStatsSource session, ShapingRelay relay, Map<String, Object> v0, Map<String, Object> a0,
                 WhepSessionStats s0, long dropped0, long kernelDrops0, long t0) {
        double samples0() {
            return field(a0, "totalSamplesReceived");
        }
    }

    /** Starts a window on the page the browser shows now (see {@link #end}). */
    static Start begin(Chromium chromium, WhepSessionStatsSource session, ShapingRelay relay) {
        Map<String, Object> v0 = chromium.inboundRtp("vireo.pc", "video");
        Map<String, Object> a0 = chromium.inboundRtp("vireo.pc", "audio");
        WhepSessionStats s0 = session.get();
        long dropped0 = relay == null ? 0 : relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped();
        if (relay != null) {
            relay.counters(ShapingRelay.Direction.TO_PEER).resetFrameGaps();
            relay.counters(ShapingRelay.Direction.TO_SERVER).resetFrameGaps();
        }
        chromium.js("const g = window.vireoGaps; g.frames = 0; g.max = 0; g.over200 = 0; g.over500 = 0;");
        return new Start(session, relay, v0, a0, s0, dropped0, relay == null ? 0 : relay.kernelDrops(),
                System.nanoTime());
    }

    /** Ends the window {@code start} began, on the same page (shown again if the browser switched tabs). */
    static Window end(Chromium chromium, Start start) {
        Map<String, Object> v0 = start.v0();
        Map<String, Object> a0 = start.a0();
        WhepSessionStats s0 = start.s0();
        WhepSessionStatsSource session = start.session();
        ShapingRelay relay = start.relay();
        long dropped0 = start.dropped0();
        double samples0 = start.samples0();
        double elapsed = (System.nanoTime() - start.t0()) / 1e9;
        Map<String, Object> v = chromium.inboundRtp("vireo.pc", "video");
        Map<String, Object> a = chromium.inboundRtp("vireo.pc", "audio");
        WhepSessionStats s = session.get();
        double total = field(a, "totalSamplesReceived") - samples0;
        double emitted = field(v, "jitterBufferEmittedCount") - field(v0, "jitterBufferEmittedCount");
        double jb = emitted <= 0 ? -1
                : (field(v, "jitterBufferDelay") - field(v0, "jitterBufferDelay")) / emitted * 1000;
        return new Window(elapsed,
                field(v, "framesDecoded") - field(v0, "framesDecoded"),
                chromium.number("window.vireoGaps.frames"),
                field(v, "freezeCount") - field(v0, "freezeCount"),
                field(v, "totalFreezesDuration") - field(v0, "totalFreezesDuration"),
                chromium.number("window.vireoGaps.max"),
                chromium.number("window.vireoGaps.over500"),
                total <= 0 ? -1 : (field(a, "concealedSamples") - field(a0, "concealedSamples")) / total,
                s.rttMillis(), jb,
                s.nacksReceived() - s0.nacksReceived(), s.retransmissions() - s0.retransmissions(),
                s.pliReceived() + s.firReceived() - s0.pliReceived() - s0.firReceived(),
                relay == null ? 0 : relay.counters(ShapingRelay.Direction.TO_PEER).rtpDropped() - dropped0,
                s.nacksNotInHistory() - s0.nacksNotInHistory(), s.fecPackets() - s0.fecPackets(),
                field(v, "framesDropped") - field(v0, "framesDropped"),
                relay == null ? 0 : relay.counters(ShapingRelay.Direction.TO_PEER).longestVideoFrameGapMillis(),
                relay == null ? 0 : Math.max(relay.counters(ShapingRelay.Direction.TO_PEER).longestOwnDelayMillis(),
                        relay.counters(ShapingRelay.Direction.TO_SERVER).longestOwnDelayMillis()),
                relay == null ? 0 : relay.kernelDrops() - start.kernelDrops0(), load(),
                s.retransmissionsRefused() - s0.retransmissionsRefused());
    }

    /** The 1-minute load average (Linux), -1 where unknown. */
    static double load() {
        try {
            return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The stats of the session being measured, fresh at each call. */
    @FunctionalInterface
    interface WhepSessionStatsSource {
        WhepSessionStats get();
    }
}
