package dev.vireo.webrtc.whep;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WHEP viewer's keyframes on demand: at the start the stream's cached GOP
 * ({@code Stream#cachedGop}: core's GOP cache is the one GOP store) goes out at once, packed just
 * before the live edge, so the browser decodes the keyframe and what followed and renders at the
 * live edge; live video the burst carried is not sent again ({@link #sentAlready}). The same burst
 * answers a keyframe request (PLI/FIR, RFC 4585 §6.3.1, RFC 5104 §4.3.1) at most once a second: a
 * publisher over RTMP cannot be asked for one. When no keyframe is cached (a WHIP publisher's long
 * GOP), the request goes on to the publisher through the hub ({@code Stream#requestKeyframe},
 * coalesced per stream). On the session's loop; the counters are read anywhere.
 */
final class GopBursts {

    private static final Logger log = LoggerFactory.getLogger(WhepSession.class);
    private static final long RESEND_INTERVAL_NANOS = 1_000_000_000L;

    private final ViewerRtp rtp;
    private final WhepMetrics metrics;
    private final StreamKey key;
    private final String id;
    private final Supplier<Subscription> subscription;
    /** The viewer's ABR (its current rendition's GOP is the one sent), or null. */
    private final Supplier<RenditionSwitch> abr;
    /** The dts of the last frame a GOP burst sent: live video up to it went out already. */
    private long burstDts = Long.MIN_VALUE;
    private long lastResendNanos = Long.MIN_VALUE;
    private volatile long gopResends;
    private volatile long keyframesAsked;

    GopBursts(ViewerRtp rtp, WhepMetrics metrics, StreamKey key, String id, Supplier<Subscription> subscription,
              Supplier<RenditionSwitch> abr) {
        this.rtp = rtp;
        this.metrics = metrics;
        this.key = key;
        this.id = id;
        this.subscription = subscription;
        this.abr = abr;
    }

    /** The viewer is connected: the cached GOP goes out (or, with none, the publisher is asked). */
    void start(SlowViewerPolicy policy, InetSocketAddress remoteAddress, long now) {
        List<MediaFrame> gop = cachedGop();
        if (!gop.isEmpty()) {
            for (MediaFrame f : gop) {
                policy.decide(f, true, true, now);
            }
            int frames = gop.size();
            long bytesBefore = rtp.bytesSent();
            send(gop, true, now);
            long bytes = rtp.bytesSent() - bytesBefore;
            long micros = (System.nanoTime() - now) / 1000;
            inContext(() -> log.info("playing {} to {}: started with {} frame(s) of the current GOP ({} bytes, sent"
                    + " in {} µs)", key, remoteAddress, frames, bytes, micros));
        } else {
            if (rtp.hasVideo()) {
                askPublisher();
            }
            inContext(() -> log.info("playing {} to {}: waiting for a keyframe", key, remoteAddress));
        }
    }

    /** Whether a live frame is video a burst sent already. */
    boolean sentAlready(MediaFrame frame) {
        return frame.isVideo() && frame.dts() <= burstDts;
    }

    /** PLI/FIR of a connected viewer: the cached GOP again (at most once a second), or the publisher is asked. */
    void onRequest(String kind, long now) {
        if (lastResendNanos != Long.MIN_VALUE && now - lastResendNanos < RESEND_INTERVAL_NANOS) {
            return;
        }
        List<MediaFrame> gop = cachedGop();
        if (gop.isEmpty()) {
            askPublisher();
            return;
        }
        lastResendNanos = now;
        gopResends++;
        int frames = gop.size();
        inContext(() -> log.debug("{}: resending the GOP ({} frames)", kind, frames));
        send(gop, false, now);
    }

    /** The video frames of the current rendition's cached GOP (retained: {@link #send} releases them), oldest first. */
    private List<MediaFrame> cachedGop() {
        Subscription sub = subscription.get();
        if (!rtp.hasVideo() || sub == null) {
            return List.of();
        }
        RenditionSwitch r = abr.get();
        Stream from = r == null ? null : r.currentStream();
        List<MediaFrame> gop = (from != null ? from : sub.stream()).cachedGop();
        gop.removeIf(f -> {
            if (f.isVideo()) {
                return false;
            }
            f.release();
            return true;
        });
        return gop;
    }

    private void send(List<MediaFrame> gop, boolean startUp, long now) {
        try {
            long before = rtp.bytesSent();
            rtp.sendGop(gop, startUp, now);
            metrics.bytesOut(rtp.bytesSent() - before);
            burstDts = Math.max(burstDts, gop.getLast().dts());
        } finally {
            gop.forEach(MediaFrame::release);
        }
    }

    private void askPublisher() {
        Subscription sub = subscription.get();
        if (sub != null && sub.stream().requestKeyframe(id)) {
            keyframesAsked++;
        }
    }

    /** GOPs resent for keyframe requests. */
    long gopResends() {
        return gopResends;
    }

    /** Keyframes asked of the publisher. */
    long keyframesAsked() {
        return keyframesAsked;
    }

    private void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
