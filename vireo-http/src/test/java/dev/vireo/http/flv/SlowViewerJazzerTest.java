package dev.vireo.http.flv;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.core.HubConfig;
import dev.vireo.http.FlvTagStream;
import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import dev.vireo.media.Codec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of the slow-viewer path (issue 17): a publisher's frames through the real
 * hub ({@code Stream}, {@code GopCache}, {@code Delivery}, {@code LoopQueue}) to HTTP-FLV viewers
 * ({@link FlvViewer} with its {@link SlowViewerPolicy}), each on an {@link EmbeddedChannel} whose
 * event loop runs only when the input says (so frames queue up and are delivered in batches, as on
 * a busy loop) and whose writability the input sets (Netty's user-defined writability bit: the
 * write buffer above its high water mark). The input interleaves frames (configs, metadata,
 * keyframes, delta frames, audio), writability changes, time passing (the viewers' clock), loop
 * runs, viewers joining and leaving, and the publisher leaving and returning within its grace.
 *
 * <p>Oracles: no task on a viewer's loop throws, and no viewer is detached but by its own leaving
 * or its disconnection (the stream's viewer count is the model's; {@code Delivery} detaches a viewer
 * that throws); a viewer is disconnected exactly at the first media frame it meets while its
 * connection has not been writable for more than the bound since the first frame it had to skip
 * (what {@code SlowViewerPolicy} promises), and gets nothing after; what each viewer received is an
 * FLV stream whose framing {@link FlvTagStream} checks, in which no frame comes twice, media frames
 * come in the order published with time stamps that never go back, and every video delta frame
 * follows the video frame published before it (a decoder never gets a P-frame without its
 * reference; a viewer starts and resumes on a keyframe); once the hub is closed and the loops ran,
 * every frame published and its payload are released.
 *
 * <p>Input: byte 0 the bound (10 ms steps); then operations, each an operation byte and its
 * arguments (see {@link #viewers}). Seeds in {@code SlowViewerJazzerTestInputs/} (the frames of
 * ffmpeg's H.264/AAC FLV with a viewer that blocks, resumes, blocks past the bound). {@code
 * JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class SlowViewerJazzerTest {

    private static final Logger VIREO = (Logger) LoggerFactory.getLogger("dev.vireo");
    /** No leak tracking for the test's own buffers: the paranoid level records a trace per access. */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);
    private static final StreamKey KEY = StreamKey.of("live", "fuzz");
    private static final long MS = 1_000_000L;
    private static final int MAX_OPS = 1024;
    private static final int MAX_VIEWERS = 6;
    private static Level level;
    private static ResourceLeakDetector.Level leakLevel;

    @BeforeAll
    static void quiet() {
        level = VIREO.getLevel();
        VIREO.setLevel(Level.ERROR); // a line per viewer joining, leaving or dropped would be most of the work
        leakLevel = ResourceLeakDetector.getLevel();
        if (System.getenv("JAZZER_FUZZ") != null) {
            // Fuzzing: the paranoid detector's stack trace per access of every FLV tag made the target
            // run at 13 inputs/s; the oracle checks every frame's release itself. The seeds replayed
            // by every test run keep the detector (and LeakGuard).
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    @AfterAll
    static void restore() {
        VIREO.setLevel(level);
        ResourceLeakDetector.setLevel(leakLevel);
    }

    /** One viewer as the model sees it. */
    private static final class Viewer {
        final int index;
        final EmbeddedChannel channel;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean attached = true;
        boolean writable = true;
        boolean disconnected;
        /** Media frames that reach the policy at the next loop run. */
        int pendingMedia;
        /** When the policy first skipped a frame of the current blocked stretch, -1 when not blocked. */
        long blockedSince = -1;

        Viewer(int index, EmbeddedChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    /** A frame published: its id (the last 4 bytes of its payload), kind and the video frame before it. */
    private record Published(MediaFrame frame, boolean video, boolean media, boolean keyframe, int previousVideo) {
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void viewers(byte[] data) throws IOException, HubException {
        play(data);
    }

    @Test
    void theSeedBlocksAViewerPastTheBoundAndResumesTheOther() throws Exception {
        byte[] seed;
        try (InputStream in = getClass().getResourceAsStream(
                "SlowViewerJazzerTestInputs/viewers/ffmpeg-h264-aac-blocked-resumed-dropped")) {
            seed = in.readAllBytes();
        }
        Outcome o = play(seed);
        assertThat(o.dropped()).as("viewer 1, blocked for 2 s past its 1 s bound").isEqualTo(1);
        assertThat(o.videoFrames()).hasSize(2);
        // viewer 0 skipped ~0.7 s while blocked and resumed at the next keyframe: it got fewer
        assertThat(o.videoFrames().get(0)).isBetween(40, 75);
        assertThat(o.videoFrames().get(1)).isPositive();
    }

    /** What an input did: viewers dropped, and the video frames each viewer got. */
    record Outcome(long dropped, List<Integer> videoFrames) {
    }

    static Outcome play(byte[] data) throws IOException, HubException {
        int pos = 0;
        long maxLag = data.length == 0 ? 10 * MS : ((data[pos++] & 0xFF) + 1) * 10 * MS;
        long[] now = {1_000_000 * MS};
        EmbeddedChannel timer = new EmbeddedChannel(); // the grace timers: they never fire while the input runs
        StreamHub hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(30))
                .withSlowViewerMaxLag(Duration.ofNanos(maxLag)), timer.eventLoop());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Counter bytesOut = registry.counter("out");
        Counter dropped = registry.counter("dropped");
        List<Viewer> viewers = new ArrayList<>();
        List<Published> published = new ArrayList<>();
        Map<Integer, Published> byId = new HashMap<>();
        int lastVideo = -1;
        long dts = 0;
        long drops = 0;
        Publication pub = null;
        try {
            pub = hub.publish(KEY, "pub", reason -> { });
            for (int n = 0; n < MAX_OPS && pos < data.length; n++) {
                int op = data[pos++] & 0xFF;
                int arg = pos < data.length ? data[pos++] & 0xFF : 0;
                switch (op & 7) {
                    case 0, 1 -> { // a frame: kind from bits 3-5, dts step and size from the argument
                        if (pub == null) {
                            break;
                        }
                        int kind = (op >>> 3 & 7) % 6;
                        dts += arg & 0x3F;
                        int id = published.size();
                        ByteBuf payload = ALLOC.heapBuffer().writeZero((arg >>> 6) * 7 + (op & 1) * 40).writeInt(id);
                        MediaFrame f = switch (kind) {
                            case 0 -> MediaFrame.media(Codec.H264, dts, 0, true, payload);
                            case 1 -> MediaFrame.media(Codec.H264, dts, (op >>> 6) * 33, false, payload);
                            case 2 -> MediaFrame.media(Codec.AAC, dts, 0, false, payload);
                            case 3 -> MediaFrame.config(Codec.H264, dts, payload);
                            case 4 -> MediaFrame.config(Codec.AAC, dts, payload);
                            default -> MediaFrame.data(dts, payload);
                        };
                        boolean media = kind <= 2;
                        Published p = new Published(f, f.isVideo(), media, f.isKeyframe(), media && f.isVideo()
                                ? lastVideo : -2);
                        if (media && f.isVideo()) {
                            lastVideo = id;
                        }
                        published.add(p);
                        byId.put(id, p);
                        pub.send(f);
                        if (media) {
                            for (Viewer v : viewers) {
                                if (v.attached) {
                                    v.pendingMedia++;
                                }
                            }
                        }
                    }
                    case 2 -> { // writability of a viewer's connection
                        Viewer v = pick(viewers, arg);
                        if (v != null && v.attached) {
                            v.writable = (op & 0x80) != 0;
                            ChannelOutboundBuffer out = v.channel.unsafe().outboundBuffer();
                            if (out != null) {
                                out.setUserDefinedWritability(1, v.writable);
                            }
                            assertThat(v.channel.isWritable()).isEqualTo(v.writable);
                        }
                    }
                    case 3 -> now[0] += (long) arg * (1 + (op >>> 3)) * MS; // up to 8 s per step
                    case 4 -> { // a viewer's loop runs: everything queued for it is delivered now
                        Viewer v = pick(viewers, arg);
                        if (v != null) {
                            drops += run(v, now[0], maxLag);
                        }
                    }
                    case 5 -> { // a viewer joins
                        if (viewers.stream().filter(v -> v.attached).count() >= MAX_VIEWERS || viewers.size() >= 16) {
                            break;
                        }
                        Viewer v = subscribe(hub, viewers.size(), now, maxLag, bytesOut, dropped);
                        if (v != null) {
                            viewers.add(v);
                        }
                    }
                    case 6 -> { // a viewer's client goes away
                        Viewer v = pick(viewers, arg);
                        if (v != null && v.attached) {
                            drops += run(v, now[0], maxLag); // what its loop had queued runs before the close
                            v.attached = false;
                            v.channel.close();
                            collect(v);
                        }
                    }
                    default -> { // the publisher leaves (the stream waits in its grace) or comes back
                        if (pub != null) {
                            pub.close();
                            pub = null;
                        } else {
                            try {
                                pub = hub.publish(KEY, "pub" + n, reason -> { });
                            } catch (HubException e) {
                                throw new AssertionError("the key is free within its grace", e);
                            }
                        }
                    }
                }
                Stream stream = hub.find(KEY).orElseThrow();
                assertThat(stream.viewerCount()).as("no viewer detached but by leaving or its disconnection")
                        .isEqualTo((int) viewers.stream().filter(v -> v.attached).count());
                assertThat(dropped.count()).isEqualTo((double) drops);
            }
            for (Viewer v : viewers) {
                drops += run(v, now[0], maxLag);
            }
        } finally {
            if (pub != null) {
                pub.close();
            }
            hub.close();
            for (Viewer v : viewers) {
                v.channel.runPendingTasks();
                v.channel.close();
                collect(v);
                v.channel.checkException();
            }
            timer.close();
        }
        List<Integer> video = new ArrayList<>();
        for (Viewer v : viewers) {
            video.add(checkStream(v, byId));
        }
        for (Published p : published) {
            assertThat(p.frame().refCnt()).as("frame %s released", p.frame()).isZero();
            assertThat(p.frame().payload().refCnt()).isZero();
        }
        return new Outcome(drops, video);
    }

    private static Viewer pick(List<Viewer> viewers, int arg) {
        return viewers.isEmpty() ? null : viewers.get(arg % viewers.size());
    }

    /** A viewer joins as {@code HttpFlvPlayback} starts it: subscribe, then the response on its loop. */
    private static Viewer subscribe(StreamHub hub, int index, long[] now, long maxLag, Counter bytesOut,
                                    Counter dropped) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(ALLOC);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(64 << 20, 128 << 20));
        FlvViewer viewer = new FlvViewer(channel, KEY, "flv-" + index, new SlowViewerPolicy(maxLag), bytesOut, dropped,
                () -> now[0]);
        Subscription sub;
        try {
            sub = hub.subscribe(KEY, viewer);
        } catch (HubException e) {
            throw new AssertionError("the stream is live or in its grace", e);
        }
        Viewer v = new Viewer(index, channel);
        viewer.start(sub, HttpVersion.HTTP_1_1);
        // The loop runs on as the request's handler returns: the start-up burst (the GOP cache) goes
        // through the policy while the new connection is writable. (An EmbeddedChannel's write runs
        // its pending tasks anyway.)
        channel.runPendingTasks();
        channel.checkException();
        collect(v);
        assertThat(channel.isOpen()).isTrue();
        return v;
    }

    /**
     * Runs a viewer's loop: what the hub queued for it is delivered, each media frame decided at the
     * same instant with the same writability. Returns 1 when the viewer was disconnected.
     */
    private static int run(Viewer v, long now, long maxLag) {
        boolean expectDrop = false;
        if (v.attached && v.pendingMedia > 0) {
            if (v.writable) {
                v.blockedSince = -1;
            } else if (v.blockedSince < 0) {
                v.blockedSince = now;
            } else if (now - v.blockedSince > maxLag) {
                expectDrop = true;
            }
        }
        v.pendingMedia = 0;
        v.channel.runPendingTasks();
        v.channel.checkException();
        collect(v);
        if (v.attached) {
            assertThat(!v.channel.isOpen()).as("viewer %d disconnected exactly past the bound (blocked since %d, now %d)",
                    v.index, v.blockedSince, now).isEqualTo(expectDrop);
        }
        if (expectDrop) {
            v.attached = false;
            v.disconnected = true;
            return 1;
        }
        return 0;
    }

    /** Takes what the viewer's channel wrote: the response head first, then the FLV body. */
    private static void collect(Viewer v) {
        Object msg;
        while ((msg = v.channel.readOutbound()) != null) {
            try {
                if (msg instanceof HttpResponse) {
                    assertThat(v.body.size()).as("the head comes first").isZero();
                }
                if (msg instanceof HttpContent c) {
                    v.body.writeBytes(ByteBufUtil.getBytes(c.content()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Checks what a viewer received; returns the video frames in it. */
    private static int checkStream(Viewer v, Map<Integer, Published> byId) throws IOException {
        if (v.body.size() == 0) {
            return 0; // its client left before its loop ever ran: nothing was flushed
        }
        Set<Integer> seen = new HashSet<>();
        Set<Integer> videoSeen = new HashSet<>();
        int lastMedia = -1;
        long lastMediaDts = Long.MIN_VALUE;
        try (FlvTagStream in = new FlvTagStream(new ByteArrayInputStream(v.body.toByteArray()))) {
            in.readHeader();
            FlvTagStream.Tag tag;
            while ((tag = in.next()) != null) {
                byte[] b = tag.body();
                int id = (b[b.length - 4] & 0xFF) << 24 | (b[b.length - 3] & 0xFF) << 16 | (b[b.length - 2] & 0xFF) << 8
                        | b[b.length - 1] & 0xFF;
                Published p = byId.get(id);
                assertThat(p).as("viewer %d: a frame that was published", v.index).isNotNull();
                assertThat(seen.add(id)).as("viewer %d: frame %d once", v.index, id).isTrue();
                if (!p.media()) {
                    continue;
                }
                assertThat(id).as("viewer %d: media in the order published", v.index).isGreaterThan(lastMedia);
                assertThat(tag.timestamp()).as("viewer %d: media time never goes back", v.index)
                        .isGreaterThanOrEqualTo(lastMediaDts);
                lastMedia = id;
                lastMediaDts = tag.timestamp();
                if (p.video()) {
                    if (!p.keyframe()) {
                        assertThat(videoSeen).as("viewer %d: delta frame %d follows the video frame %d before it",
                                v.index, id, p.previousVideo()).contains(p.previousVideo());
                    }
                    videoSeen.add(id);
                }
            }
        }
        return videoSeen.size();
    }
}
