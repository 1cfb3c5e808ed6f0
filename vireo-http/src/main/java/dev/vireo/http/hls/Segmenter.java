package dev.vireo.http.hls;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.core.fmp4.Fmp4Packer;
import dev.vireo.http.routing.Response;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HLS packager of one stream, shared by all its HLS viewers: a hub subscriber (one "viewer"
 * of the stream, whatever the number of HLS clients) that cuts the frames into segments at
 * keyframes and into LL-HLS parts, in both formats (MPEG-TS segments, fMP4 parts), and keeps the
 * last few in memory. Every change publishes a new immutable {@link Timeline}, which requests on
 * any thread read, and answers the requests parked on it.
 *
 * <p>Cutting rules: a segment starts at a video keyframe (any audio frame for an audio-only
 * stream) and ends at the first keyframe at least {@link HlsConfig#segmentTarget()} later, or at
 * the first keyframe after the publisher changed (EXT-X-DISCONTINUITY, new init segment). A part
 * ends before the frame that would take it past the Part Target; a part that starts with a
 * keyframe (every part of an audio-only stream) is independent. Runs on its executor only.
 */
final class Segmenter implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(Segmenter.class);
    /** Segments kept for download after they left the playlist (§6.2.2: a segment stays available a while). */
    private static final int RETAINED_AFTER_WINDOW = 3;

    private final StreamKey key;
    private final String id;
    private final EventExecutor loop;
    private final HlsConfig config;
    private final Consumer<Segmenter> onStop;
    /** Set at the start from the stream's GOP; raised once at the first segment (see closeSegment). */
    private int targetDuration;
    private final long segmentTargetMillis;
    private final long partTargetMillis;
    final Waiters waiters;

    private volatile Timeline timeline;
    private volatile long lastAccessNanos = System.nanoTime();
    private volatile boolean stopped;
    private Subscription subscription;
    private ScheduledFuture<?> idleCheck;

    private MediaFrame videoConfig;
    private MediaFrame audioConfig;
    private Codec audioCodec;
    private String publisher;
    private boolean mediaSeen;
    private boolean discontinuityPending;
    private boolean packersStale = true;
    private boolean warnedUnsupported;
    private boolean warnedLongSegment;
    private Fmp4Packer cmaf;
    private TsPacker ts;
    private int initId = -1;
    private final Map<Integer, byte[]> inits = new HashMap<>();
    private final List<Segment> segments = new ArrayList<>();
    private long nextMsn;
    private long discontinuitySequence;
    private long anchorWall;
    private long anchorDts;

    // the open segment
    private boolean open;
    private long segMsn;
    private long segStartDts;
    private long segPdt;
    private boolean segDiscontinuity;
    private long segDsn;
    private int segInit;
    private List<Part> segParts = new ArrayList<>();
    private ByteBuf segTs;

    // the open part
    private long partStartDts;
    private boolean partIndependent;
    private final List<MediaFrame> partVideo = new ArrayList<>();
    private final List<MediaFrame> partAudio = new ArrayList<>();
    private long lastTimelineDts = -1;
    private long frameDelta;

    /**
     * Where a stopped segmenter left a stream's numbering, for the next one of the same key.
     *
     * @param nextMsn the first Media Sequence Number not given yet
     * @param discontinuitySequence the Discontinuity Sequence Number of its last segment
     */
    record Continuation(long nextMsn, long discontinuitySequence) {
        static final Continuation NONE = new Continuation(0, 0);
    }

    /**
     * @param gopMillis the stream's current GOP length (0 when not known yet): the target
     *     duration must cover the segments it makes, since it never changes (RFC 8216 §6.2.1)
     */
    Segmenter(StreamKey key, EventExecutor loop, HlsConfig config, long gopMillis, Consumer<Segmenter> onStop) {
        this(key, loop, config, gopMillis, Continuation.NONE, onStop);
    }

    /**
     * @param from where the previous segmenter of the key left its numbering: the playlist's URI is
     *     the same, so a player that kept it must see the Media Sequence Number go on (RFC 8216
     *     §6.2.1, §6.2.2) and a discontinuity (§6.2.1: "any changes in [...] timing")
     */
    Segmenter(StreamKey key, EventExecutor loop, HlsConfig config, long gopMillis, Continuation from,
              Consumer<Segmenter> onStop) {
        this.nextMsn = from.nextMsn();
        this.discontinuitySequence = from.discontinuitySequence();
        this.discontinuityPending = from.nextMsn() > 0;
        this.key = key;
        this.id = "hls-" + key;
        this.loop = loop;
        this.config = config;
        this.onStop = onStop;
        this.segmentTargetMillis = config.segmentTarget().toMillis();
        this.partTargetMillis = config.partTarget().toMillis();
        this.targetDuration = targetDuration(segmentTargetMillis, gopMillis);
        this.waiters = new Waiters(config.maxWaiting());
        this.timeline = Timeline.empty(targetDuration, partTargetMillis, config.windowSegments());
        if (targetDuration * 1000L > segmentTargetMillis + 999) {
            inContext(() -> log.warn("HLS of {}: keyframes every {} ms make {} s segments (target {} ms): a shorter"
                    + " keyframe interval at the encoder gives lower HLS latency", key, gopMillis, targetDuration,
                    segmentTargetMillis));
        }
    }

    /**
     * EXT-X-TARGETDURATION: segments last the smallest multiple of the GOP that reaches the
     * target; their EXTINF rounded to an integer must not exceed it (RFC 8216 §4.3.3.1).
     */
    static int targetDuration(long targetMillis, long gopMillis) {
        long expected = targetMillis;
        if (gopMillis > 0) {
            expected = Math.max(targetMillis, ((targetMillis + gopMillis - 1) / gopMillis) * gopMillis);
        }
        return (int) Math.max(1, (expected + 999) / 1000);
    }

    /** On the loop, right after subscribing. */
    void start(Subscription sub) {
        subscription = sub;
        long every = Math.max(500, config.idleTimeout().toMillis() / 4);
        idleCheck = loop.scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
        inContext(() -> log.info("HLS segmenter of {} started (target duration {} s, parts {} ms)", key,
                targetDuration, partTargetMillis));
    }

    StreamKey key() {
        return key;
    }

    /** Where the numbering stands; on the loop (a stopped segmenter's is final). */
    Continuation continuation() {
        return new Continuation(nextMsn, discontinuitySequence);
    }

    Timeline timeline() {
        return timeline;
    }

    boolean isStopped() {
        return stopped;
    }

    EventExecutor loop() {
        return loop;
    }

    /** A playlist or segment request came: the segmenter is in use. */
    void touch() {
        lastAccessNanos = System.nanoTime();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public void onFrame(MediaFrame f) {
        if (stopped || f.isData()) {
            return;
        }
        try {
            if (f.isConfig()) {
                onConfig(f);
            } else {
                onMedia(f);
            }
        } catch (MediaFormatException | IllegalArgumentException e) {
            // A frame the muxers cannot express: this stream's HLS stops, nothing else does.
            inContext(() -> log.warn("HLS of {} stops: {}", key, e.getMessage()));
            stop("cannot package the stream: " + e.getMessage());
        } catch (RuntimeException e) {
            // A bug must not leave a segmenter that no longer gets frames but still answers
            inContext(() -> log.error("HLS of {} stops on an unexpected error", key, e));
            stop("unexpected error: " + e);
        }
    }

    private void onConfig(MediaFrame f) {
        boolean changed;
        if (f.isVideo()) {
            changed = !same(videoConfig, f);
            videoConfig = replace(videoConfig, f);
        } else {
            changed = !same(audioConfig, f) || audioCodec != f.codec();
            audioConfig = replace(audioConfig, f);
            audioCodec = f.codec();
        }
        if (!mediaSeen) {
            packersStale = true;
            return;
        }
        // After media: a new publisher (or a codec change). RFC 8216 §6.2.1 "any changes in encoding
        // parameters or timing information MUST be signalled by EXT-X-DISCONTINUITY".
        String now = subscription == null ? null : subscription.stream().stats().publisherSession();
        if (changed || (now != null && !now.equals(publisher))) {
            discontinuityPending = true;
            packersStale = true;
        }
    }

    private static boolean same(MediaFrame a, MediaFrame b) {
        return a != null && a.codec() == b.codec() && ByteBufUtil.equals(a.payload(), b.payload());
    }

    private static MediaFrame replace(MediaFrame old, MediaFrame fresh) {
        if (old != null) {
            old.release();
        }
        return fresh.retain();
    }

    private void onMedia(MediaFrame f) {
        if (f.isAudio()) {
            if (audioCodec == null) {
                audioCodec = f.codec();
            }
            if (f.codec() != Codec.AAC && f.codec() != Codec.OPUS) {
                if (!warnedUnsupported) {
                    warnedUnsupported = true;
                    inContext(() -> log.warn("HLS of {} carries no {} audio (AAC or Opus only)", key, f.codec()));
                }
                return;
            }
            if (discontinuityPending && videoConfig != null) {
                // the new publisher's audio waits for its first keyframe, where the cut is; an
                // audio-only stream cuts at its first audio frame (below)
                return;
            }
        }
        if (!mediaSeen) {
            mediaSeen = true;
            publisher = subscription == null ? null : subscription.stream().stats().publisherSession();
        }
        boolean hasVideo = videoConfig != null;
        boolean onTimeline = hasVideo ? f.isVideo() : f.isAudio();
        if (!open) {
            if (hasVideo ? !(f.isVideo() && f.isKeyframe()) : !f.isAudio()) {
                return; // segments start at a keyframe
            }
            startSegment(f);
        } else if (onTimeline) {
            boolean boundary = !hasVideo || f.isKeyframe();
            if (boundary && (discontinuityPending || f.dts() - segStartDts >= segmentTargetMillis)) {
                closePart(f.dts());
                closeSegment(f.dts());
                startSegment(f);
            } else if (hasFrames() && f.dts() + frameDelta - partStartDts > partTargetMillis) {
                closePart(f.dts());
                startPart(f.dts(), !hasVideo || f.isKeyframe()); // every audio frame is independent
            }
            if (hasVideo && !warnedLongSegment && f.dts() - segStartDts > targetDuration * 1000L + 500) {
                warnedLongSegment = true;
                inContext(() -> log.warn("HLS of {}: no keyframe for {} ms, segment {} is longer than the target"
                        + " duration {} s (the publisher's keyframe interval grew)", key, f.dts() - segStartDts,
                        segMsn, targetDuration));
            }
        }
        if (onTimeline) {
            if (lastTimelineDts >= 0 && f.dts() > lastTimelineDts) {
                frameDelta = f.dts() - lastTimelineDts;
            }
            lastTimelineDts = f.dts();
        }
        if (cmaf != null && cmaf.carries(f)) {
            (f.isVideo() ? partVideo : partAudio).add(f.retain());
        }
        if (ts != null && segTs != null) {
            ts.write(f, segTs);
        }
    }

    private boolean hasFrames() {
        return !partVideo.isEmpty() || !partAudio.isEmpty();
    }

    private void startSegment(MediaFrame f) {
        boolean discontinuity = discontinuityPending && nextMsn > 0;
        if (packersStale || discontinuityPending) {
            cmaf = Fmp4Packer.of(videoConfig, audioConfig, audioCodec);
            ts = TsPacker.of(videoConfig, audioConfig, audioCodec);
            if (cmaf != null) {
                initId++;
                inits.put(initId, cmaf.init());
            }
            packersStale = false;
        }
        discontinuityPending = false;
        if (discontinuity) {
            discontinuitySequence++;
            publisher = subscription == null ? null : subscription.stream().stats().publisherSession();
            inContext(() -> log.info("HLS of {}: discontinuity at segment {} (publisher restarted or changed codec)",
                    key, nextMsn));
        }
        if (discontinuity || nextMsn == 0) {
            anchorWall = System.currentTimeMillis() - (System.nanoTime() - f.ingestNanos()) / 1_000_000;
            anchorDts = f.dts();
        }
        segMsn = nextMsn++;
        segStartDts = f.dts();
        segPdt = anchorWall + (f.dts() - anchorDts);
        segDiscontinuity = discontinuity;
        segDsn = discontinuitySequence;
        segInit = initId;
        segParts = new ArrayList<>();
        segTs = ts == null ? null : Unpooled.buffer(256 * 1024);
        if (ts != null) {
            ts.startSegment();
        }
        open = true;
        warnedLongSegment = false;
        startPart(f.dts(), true);
    }

    private void startPart(long dts, boolean independent) {
        partStartDts = dts;
        partIndependent = independent;
        publish();
    }

    private void closePart(long endDts) {
        if (!hasFrames()) {
            return;
        }
        try {
            byte[] bytes = cmaf == null ? null : cmaf.fragment(partVideo, endDts, partAudio);
            if (bytes != null) {
                segParts.add(new Part(segParts.size(), Math.max(0, endDts - partStartDts), partIndependent, bytes));
            }
        } finally {
            partVideo.forEach(MediaFrame::release);
            partAudio.forEach(MediaFrame::release);
            partVideo.clear();
            partAudio.clear();
        }
    }

    private void closeSegment(long endDts) {
        byte[] tsBytes = null;
        if (segTs != null) {
            tsBytes = ByteBufUtil.getBytes(segTs);
            segTs.release();
            segTs = null;
        }
        long duration = Math.max(0, endDts - segStartDts);
        if (segments.isEmpty() && Math.round(duration / 1000.0) > targetDuration) {
            // The GOP was not known at the start (the first viewer came during the stream's first
            // GOP): the first segment tells it. No playlist has been given yet (the first one waits
            // for a complete segment), so the target duration can still cover the segments that
            // whole GOPs make, as it must for all of them (RFC 8216 §4.3.3.1, §6.2.1: the EXTINF
            // rounded to the nearest integer; raised only then, up to the next whole second so
            // that the next segments, a frame longer, stay within it too).
            int raised = (int) ((duration + 999) / 1000);
            inContext(() -> log.warn("HLS of {}: keyframes every {} ms make {} s segments (target {} ms): a shorter"
                    + " keyframe interval at the encoder gives lower HLS latency", key, duration, raised,
                    segmentTargetMillis));
            targetDuration = raised;
        }
        segments.add(new Segment(segMsn, duration, segPdt, segDiscontinuity, segDsn, segInit,
                List.copyOf(segParts), tsBytes));
        while (segments.size() > config.windowSegments() + RETAINED_AFTER_WINDOW) {
            segments.removeFirst();
        }
        int oldestInit = segments.getFirst().initId();
        inits.keySet().removeIf(i -> i < oldestInit);
        open = false;
    }

    private void publish() {
        Timeline.Open current = open ? new Timeline.Open(segMsn, segPdt, segDiscontinuity, segDsn, segInit,
                List.copyOf(segParts)) : null;
        Timeline t = new Timeline(targetDuration, partTargetMillis, List.copyOf(segments), config.windowSegments(),
                current, Map.copyOf(inits), false);
        timeline = t;
        waiters.publish(t);
    }

    @Override
    public void onEnd(String reason) {
        stop("stream ended: " + reason);
    }

    private void checkIdle() {
        long idle = System.nanoTime() - lastAccessNanos;
        if (idle > config.idleTimeout().toNanos() && waiters.size() == 0) { // a parked request is a viewer
            stop("no HLS request for " + TimeUnit.NANOSECONDS.toSeconds(idle) + " s");
        }
    }

    /** Stops on the loop: detaches from the hub, answers parked requests, frees the window. */
    void stop(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> stop(reason));
            return;
        }
        if (stopped) {
            return;
        }
        // first: a segmenter started once this one is seen stopped continues its numbering
        onStop.accept(this);
        stopped = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (subscription != null) {
            subscription.close();
        }
        waiters.endAll(Response.error(404, "StreamNotFound", "stream " + key.path() + " is not live"));
        partVideo.forEach(MediaFrame::release);
        partAudio.forEach(MediaFrame::release);
        partVideo.clear();
        partAudio.clear();
        if (segTs != null) {
            segTs.release();
            segTs = null;
        }
        if (videoConfig != null) {
            videoConfig.release();
            videoConfig = null;
        }
        if (audioConfig != null) {
            audioConfig.release();
            audioConfig = null;
        }
        segments.clear();
        timeline = new Timeline(targetDuration, partTargetMillis, List.of(), config.windowSegments(), null, Map.of(), true);
        inContext(() -> log.info("HLS segmenter of {} stopped: {}", key, reason));
    }

    private void inContext(Runnable logStatement) {
        LogContext.run(key, id, logStatement);
    }
}
