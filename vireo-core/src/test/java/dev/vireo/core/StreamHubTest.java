package dev.vireo.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamHubTest {

    private final EventExecutor timer = new DefaultEventExecutor();
    private final EventExecutor loopA = new DefaultEventExecutor();
    private final EventExecutor loopB = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofMillis(300))
            .withOnDemandStartTimeout(Duration.ofMillis(300)), timer);
    private final StreamKey key = StreamKey.of("live", "demo");

    @AfterEach
    void tearDown() {
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loopA.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loopB.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static ByteBuf bytes(int n) {
        return Unpooled.buffer(n).writeZero(n);
    }

    static MediaFrame video(long dts, boolean key) {
        return MediaFrame.media(Codec.H264, dts, 0, key, bytes(100));
    }

    static MediaFrame audio(long dts) {
        return MediaFrame.media(Codec.AAC, dts, 0, false, bytes(10));
    }

    /** A viewer that records what it gets, as strings, on its executor. */
    static class Recorder implements Subscriber {
        final EventExecutor executor;
        final List<String> got = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();

        Recorder(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public String id() {
            return "rec";
        }

        @Override
        public EventExecutor executor() {
            return executor;
        }

        @Override
        public void onFrame(MediaFrame frame) {
            assertThat(executor.inEventLoop()).isTrue();
            got.add((frame.isConfig() ? "cfg-" : frame.isData() ? "data-" : frame.isKeyframe() ? "key-" : "")
                    + frame.codec() + "@" + frame.dts());
        }

        @Override
        public void onEnd(String reason) {
            ended.complete(reason);
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }

    @Test
    void lateViewerStartsWithHeadersAndGopFromTheLatestKeyframe() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(MediaFrame.data(0, bytes(5)));
        pub.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        pub.send(MediaFrame.config(Codec.AAC, 0, bytes(2)));
        pub.send(video(0, true));
        pub.send(video(33, false));
        pub.send(video(66, true));
        pub.send(audio(70));
        pub.send(video(100, false));

        Recorder r = new Recorder(loopA);
        hub.subscribe(key, r);
        pub.send(video(133, false));
        await(() -> r.got.size() == 7);
        assertThat(r.got).containsExactly("data-AMF_DATA@0", "cfg-H264@0", "cfg-AAC@0",
                "key-H264@66", "AAC@70", "H264@100", "H264@133");
        assertThat(hub.find(key).orElseThrow().stats().gopCacheFrames()).isEqualTo(4);
    }

    @Test
    void aViewerJoiningALoopWhoseFramesAreStillQueuedGetsEachFrameOnce() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        pub.send(video(0, true));
        Recorder first = new Recorder(loopA);
        hub.subscribe(key, first);
        await(() -> first.got.size() == 2);
        // the loop is busy (its viewers' writes, a TLS handshake): what comes now waits in its queue,
        // and is in the GOP cache a viewer joining on that loop starts with
        CountDownLatch busy = new CountDownLatch(1);
        loopA.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pub.send(video(33, false));
        pub.send(video(66, false));
        Recorder second = new Recorder(loopA);
        hub.subscribe(key, second);
        busy.countDown();
        pub.send(video(100, false));
        await(() -> first.got.contains("H264@100") && second.got.contains("H264@100"));
        // a P-frame decoded twice is applied twice: the picture is wrong until the next keyframe
        List<String> once = List.of("cfg-H264@0", "key-H264@0", "H264@33", "H264@66", "H264@100");
        assertThat(second.got).containsExactlyElementsOf(once);
        assertThat(first.got).containsExactlyElementsOf(once);
    }

    @Test
    void aViewerJoiningABusyLoopOfAnAudioOnlyStreamGetsTheFramesQueuedForIt() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(MediaFrame.config(Codec.AAC, 0, bytes(2)));
        Recorder first = new Recorder(loopA);
        hub.subscribe(key, first);
        pub.send(audio(0));
        await(() -> first.got.size() == 2);
        CountDownLatch busy = new CountDownLatch(1);
        loopA.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pub.send(audio(20));
        pub.send(audio(40));
        // an audio-only stream has no GOP cache: the burst is the header alone, and what waits in the
        // loop's queue is newer than it; skipping it (as the frames a GOP burst holds) cut the audio
        Recorder second = new Recorder(loopA);
        hub.subscribe(key, second);
        busy.countDown();
        pub.send(audio(60));
        await(() -> first.got.contains("AAC@60") && second.got.contains("AAC@60"));
        assertThat(second.got).containsExactly("cfg-AAC@0", "AAC@20", "AAC@40", "AAC@60");
        assertThat(first.got).containsExactly("cfg-AAC@0", "AAC@0", "AAC@20", "AAC@40", "AAC@60");
    }

    @Test
    void theCachedGopIsHandedOutRetainedFromTheLatestKeyframe() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        Stream stream = hub.find(key).orElseThrow();
        pub.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        assertThat(stream.cachedGop()).isEmpty(); // no keyframe yet
        pub.send(video(0, true));
        pub.send(video(33, false));
        pub.send(video(66, true));
        pub.send(audio(70));
        pub.send(video(100, false));
        List<MediaFrame> gop = stream.cachedGop();
        try {
            assertThat(gop).extracting(MediaFrame::dts).containsExactly(66L, 70L, 100L);
            assertThat(gop.getFirst().isKeyframe()).isTrue();
            assertThat(gop).allMatch(f -> f.refCnt() == 2); // the cache's and ours
        } finally {
            gop.forEach(MediaFrame::release);
        }
    }

    @Test
    void keyframeRequestsReachThePublisherCoalescedPerStream() throws Exception {
        List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        hub.addListener(new HubListener() {
            @Override
            public void onKeyframeRequest(Stream stream, String viewerId) {
                requests.add(stream.key().stream() + ":" + viewerId);
            }
        });
        hub.publish(key, "p1", r -> { });
        Stream stream = hub.find(key).orElseThrow();
        assertThat(stream.requestKeyframe("v1")).isTrue();
        // others asking at once share that request (at most one per 500 ms per stream)
        assertThat(stream.requestKeyframe("v2")).isFalse();
        assertThat(stream.requestKeyframe("v1")).isFalse();
        assertThat(requests).containsExactly(key.stream() + ":v1");
        await(() -> stream.requestKeyframe("v3"));
        assertThat(requests).containsExactly(key.stream() + ":v1", key.stream() + ":v3");
    }

    @Test
    void anInternalReaderGetsFramesButIsNoViewerAndRaisesNoEvents() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        hub.addListener(new HubListener() {
            @Override
            public void onPlay(Stream stream, String sessionId) {
                events.add("play " + sessionId);
            }

            @Override
            public void onStop(Stream stream, String sessionId) {
                events.add("stop " + sessionId);
            }
        });
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(video(0, true));
        Recorder job = new Recorder(loopA) {
            @Override
            public String id() {
                return "transcode-1";
            }

            @Override
            public boolean internal() {
                return true;
            }
        };
        Recorder viewer = new Recorder(loopB);
        Subscription internal = hub.subscribe(key, job);
        Subscription real = hub.subscribe(key, viewer);
        pub.send(video(33, false));
        await(() -> job.got.size() == 2 && viewer.got.size() == 2);
        assertThat(hub.find(key).orElseThrow().viewerCount()).isEqualTo(1);
        assertThat(hub.find(key).orElseThrow().stats().viewers()).isEqualTo(1);
        internal.close();
        real.close();
        assertThat(hub.find(key).orElseThrow().viewerCount()).isZero();
        assertThat(events).containsExactly("play rec", "stop rec");
    }

    @Test
    void viewersAreCountedPerProtocolWithoutInternalReaders() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(video(0, true));
        class Viewer extends Recorder {
            final String protocol;

            Viewer(EventExecutor executor, String protocol) {
                super(executor);
                this.protocol = protocol;
            }

            @Override
            public String protocol() {
                return protocol;
            }
        }
        Recorder job = new Recorder(loopA) {
            @Override
            public boolean internal() {
                return true;
            }
        };
        Subscription internal = hub.subscribe(key, job);
        Subscription w1 = hub.subscribe(key, new Viewer(loopA, "whep"));
        Subscription w2 = hub.subscribe(key, new Viewer(loopB, "whep"));
        Subscription f = hub.subscribe(key, new Viewer(loopB, "flv"));
        hub.subscribe(key, new Recorder(loopA));
        assertThat(hub.find(key).orElseThrow().viewersByProtocol()).containsExactly(
                Map.entry("flv", 1), Map.entry("other", 1), Map.entry("whep", 2));
        w1.close();
        f.close();
        internal.close();
        assertThat(hub.find(key).orElseThrow().viewersByProtocol()).containsExactly(
                Map.entry("other", 1), Map.entry("whep", 1));
        w2.close();
    }

    @Test
    void streamsFromSourcesAndDerivedPublicationsAreDerived() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        assertThat(pub.stream().isDerived()).isFalse();
        StreamKey lld = StreamKey.of("live", "demo_lld");
        Publication out = hub.publishDerived(lld, "transcode-1", r -> { });
        assertThat(out.stream().isDerived()).isTrue();
        out.close();
        StreamKey html5 = StreamKey.of("live", "demo@html5");
        hub.addSource(k -> k.equals(html5));
        hub.subscribe(html5, new Recorder(loopA));
        assertThat(hub.find(html5).orElseThrow().isDerived()).as("made for a viewer by a source").isTrue();
    }

    @Test
    void viewersOnTwoLoopsGetEveryFrameInOrderOnce() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(video(0, true));
        Recorder a1 = new Recorder(loopA);
        Recorder a2 = new Recorder(loopA);
        Recorder b1 = new Recorder(loopB);
        hub.subscribe(key, a1);
        hub.subscribe(key, a2);
        hub.subscribe(key, b1);
        for (int i = 1; i <= 500; i++) {
            pub.send(video(i, i % 50 == 0));
        }
        for (Recorder r : List.of(a1, a2, b1)) {
            await(() -> r.got.size() == 501);
            for (int i = 0; i <= 500; i++) {
                assertThat(r.got.get(i)).endsWith("@" + i);
            }
        }
        assertThat(hub.find(key).orElseThrow().viewerCount()).isEqualTo(3);
    }

    @Test
    void secondPublisherIsRefused() throws Exception {
        hub.publish(key, "p1", r -> { });
        assertThatThrownBy(() -> hub.publish(key, "p2", r -> { }))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("already being published")
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.STREAM_BUSY);
    }

    @Test
    void playingAnUnknownStreamIsRefused() {
        assertThatThrownBy(() -> hub.subscribe(key, new Recorder(loopA)))
                .isInstanceOf(HubException.class)
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.STREAM_NOT_FOUND);
    }

    @Test
    void publisherComingBackWithinGraceKeepsViewers() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(video(0, true));
        Recorder r = new Recorder(loopA);
        hub.subscribe(key, r);
        pub.close();
        Publication again = hub.publish(key, "p2", x -> { });
        again.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        again.send(video(0, true));
        again.send(video(33, false));
        await(() -> r.got.size() == 4);
        // The second publisher's time line continues the first one's: no jump back for viewers.
        assertThat(r.got).containsExactly("key-H264@0", "cfg-H264@1", "key-H264@1", "H264@34");
        assertThat(r.ended).isNotDone();
    }

    @Test
    void viewersEndWhenTheGracePeriodPasses() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(video(0, true));
        Recorder r = new Recorder(loopA);
        hub.subscribe(key, r);
        pub.close();
        assertThat(r.ended.get(5, TimeUnit.SECONDS)).contains("did not come back");
        assertThat(hub.find(key)).isEmpty();
        // The key is free again.
        hub.publish(key, "p3", x -> { }).close();
    }

    @Test
    void kickRevokesThePublisherAndEndsViewers() throws Exception {
        CompletableFuture<String> revoked = new CompletableFuture<>();
        Publication pub = hub.publish(key, "p1", revoked::complete);
        Recorder r = new Recorder(loopB);
        hub.subscribe(key, r);
        assertThat(hub.kick(key, "forbidden by admin")).isTrue();
        assertThat(revoked.get(5, TimeUnit.SECONDS)).isEqualTo("forbidden by admin");
        assertThat(r.ended.get(5, TimeUnit.SECONDS)).isEqualTo("forbidden by admin");
        assertThat(pub.isRevoked()).isTrue();
        MediaFrame late = video(1, false);
        pub.send(late);
        assertThat(late.refCnt()).isZero();
    }

    @Test
    void closedSubscriptionGetsNothingMore() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(video(0, true));
        Recorder r = new Recorder(loopA);
        Subscription s = hub.subscribe(key, r);
        await(() -> r.got.size() == 1);
        s.close();
        assertThat(hub.find(key).orElseThrow().viewerCount()).isZero();
        pub.send(video(33, false));
        Recorder witness = new Recorder(loopA);
        hub.subscribe(key, witness);
        pub.send(video(66, false));
        await(() -> witness.got.size() == 3);
        assertThat(r.got).hasSize(1);
    }

    @Test
    void statsReportRatesAndBFrames() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        pub.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        pub.send(video(0, true));
        pub.send(MediaFrame.media(Codec.H264, 40, 80, false, bytes(100)));  // P, shown at 120
        pub.send(MediaFrame.media(Codec.H264, 80, 0, false, bytes(100)));   // B, shown at 80
        pub.send(video(120, true));
        StreamStats s = hub.find(key).orElseThrow().stats();
        assertThat(s.bFrames()).isTrue();
        assertThat(s.videoCodec()).isEqualTo("H264");
        assertThat(s.gopFrames()).isEqualTo(3);
        assertThat(s.gopMillis()).isEqualTo(120);
        assertThat(s.framesIn()).isEqualTo(5);
        assertThat(s.publisherSession()).isEqualTo("p1");
    }

    @Test
    void anOnDemandSourceProducesAStreamTheViewerWaitsFor() throws Exception {
        StreamKey variant = StreamKey.of("live", "demo_lhd");
        List<StreamKey> asked = new CopyOnWriteArrayList<>();
        hub.addSource(k -> {
            asked.add(k);
            return k.stream().endsWith("_lhd");
        });
        Recorder r = new Recorder(loopA);
        hub.subscribe(variant, r);
        assertThat(asked).containsExactly(variant);
        // The source's job publishes a moment later, like a transcoder whose process started.
        Publication job = hub.publish(variant, "transcoder", x -> { });
        job.send(video(0, true));
        await(() -> r.got.size() == 1);
        assertThat(r.got).containsExactly("key-H264@0");
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "other"), new Recorder(loopA)))
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.STREAM_NOT_FOUND);
    }

    @Test
    void onDemandViewersEndWhenNoPublisherStarts() throws Exception {
        hub.addSource(k -> true);
        Recorder r = new Recorder(loopA);
        hub.subscribe(StreamKey.of("live", "never"), r);
        assertThat(r.ended.get(5, TimeUnit.SECONDS)).contains("no publisher started");
    }

    /**
     * The first publisher of an on-demand stream (a transcode job starting for its first viewer) is
     * not a publisher "resuming within the grace period", as the log said of every {@code @aac} and
     * {@code @html5} variant's start.
     */
    @Test
    void theFirstPublisherOfAnOnDemandStreamIsLoggedAsStartingItNotResuming() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Stream.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.addAppender(appender);
        try {
            StreamKey key = StreamKey.of("live", "demo@aac");
            hub.addSource(k -> true);
            hub.subscribe(key, new Recorder(loopA));
            hub.publishDerived(key, "transcode-1", r -> { });
            List<String> lines;
            synchronized (appender) {
                lines = appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            }
            assertThat(lines).anySatisfy(m -> assertThat(m).contains("transcode-1 started", "1 viewer(s) waited for"))
                    .noneSatisfy(m -> assertThat(m).contains("resumed"));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    @Test
    void aSourceThatRefusesGivesItsReason() {
        hub.addSource(k -> {
            throw new IllegalArgumentException("unknown transcoding template xyz");
        });
        assertThatThrownBy(() -> hub.subscribe(StreamKey.of("live", "demo_xyz"), new Recorder(loopA)))
                .isInstanceOf(HubException.class)
                .hasMessage("unknown transcoding template xyz")
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.SOURCE_REFUSED);
    }

    @Test
    void thePublishGuardRefusesIngestButNotDerivedStreamsNorTheLocalDuplicateCheck() throws Exception {
        StreamKey key = StreamKey.of("live", "guarded");
        List<String> asked = new CopyOnWriteArrayList<>();
        hub.setPublishGuard((k, session) -> {
            asked.add(session);
            if (session.startsWith("elsewhere")) {
                throw HubException.busy(k);
            }
        });
        assertThatThrownBy(() -> hub.publish(key, "elsewhere-1", r -> { }))
                .isInstanceOf(HubException.class).hasMessage("stream /live/guarded is already being published");
        assertThat(hub.find(key).map(Stream::isLive).orElse(false)).isFalse();

        Publication p = hub.publish(key, "here-1", r -> { });
        // A second local publisher gets the hub's own refusal (same words) without asking the guard.
        assertThatThrownBy(() -> hub.publish(key, "here-2", r -> { }))
                .isInstanceOf(HubException.class).hasMessage("stream /live/guarded is already being published");
        hub.publishDerived(StreamKey.of("live", "guarded_hd"), "elsewhere-derived", r -> { }).close();
        assertThat(asked).containsExactly("elsewhere-1", "here-1");
        p.close();
    }

    @Test
    void anAdmittedIngestPublisherPreemptsAStandInAndKeepsItsViewers() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        hub.setPublishGuard((k, session) -> {
            asked.add(session);
            if (session.startsWith("duplicate")) {
                throw HubException.busy(k); // another node still owns the key
            }
        });
        hub.addListener(new HubListener() {
            @Override
            public void onPublish(Stream stream, String sessionId) {
                events.add("publish " + sessionId + (stream.isDerived() ? " (derived)" : ""));
            }

            @Override
            public void onUnpublish(Stream stream, String sessionId) {
                events.add("unpublish " + sessionId);
            }
        });
        CompletableFuture<String> revoked = new CompletableFuture<>();
        Publication pull = hub.publishStandIn(key, "pull-1", revoked::complete);
        pull.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        pull.send(video(1000, true));
        Recorder r = new Recorder(loopA);
        hub.subscribe(key, r);
        Stream stream = hub.find(key).orElseThrow();
        assertThat(stream.isDerived()).isTrue();

        // Another stand-in or a publisher the guard refuses does not take the key; the viewer is untouched.
        assertThatThrownBy(() -> hub.publishStandIn(key, "pull-2", x -> { })).hasMessageContaining("already being published");
        assertThatThrownBy(() -> hub.publish(key, "duplicate-1", x -> { })).hasMessageContaining("already being published");
        assertThat(revoked).isNotDone();

        Publication local = hub.publish(key, "local-1", x -> { });
        assertThat(revoked).isCompletedWithValueMatching(reason -> reason.contains("pre-empted by local-1"));
        assertThat(hub.find(key)).containsSame(stream); // the same stream: its viewers are the newcomer's
        assertThat(stream.isDerived()).isFalse();
        pull.send(video(1033, false)); // the stand-in is out: ignored
        local.send(MediaFrame.config(Codec.H264, 0, bytes(20)));
        local.send(video(0, true));
        await(() -> r.got.size() == 4);
        // The newcomer's time line continues the stand-in's, as after a publisher's return within the grace.
        assertThat(r.got).containsExactly("cfg-H264@0", "key-H264@1000", "cfg-H264@1001", "key-H264@1001");
        assertThat(r.ended).isNotDone();
        assertThat(asked).containsExactly("duplicate-1", "local-1");
        assertThat(events).containsExactly("publish pull-1 (derived)", "publish local-1");

        // An ingest publisher does not yield to a stand-in.
        assertThatThrownBy(() -> hub.publishStandIn(key, "pull-3", x -> { })).hasMessageContaining("already being published");
        local.close();
    }

    @Test
    void aStandInsEndReachesOnlyAStreamItStillHolds() throws Exception {
        // Graces long enough that no timer ends a stream before the test does, however loaded the machine.
        StreamHub hub = new StreamHub(HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(60))
                .withOnDemandStartTimeout(Duration.ofSeconds(60)), timer);
        try {
            standInEnds(hub);
        } finally {
            hub.close();
        }
    }

    private void standInEnds(StreamHub hub) throws Exception {
        assertThat(hub.endStandIn(key, "pull-1", "origin gone")).as("no stream: the caller asks again").isFalse();

        // Held by the stand-in: another stand-in's end leaves it alone, its own ends it.
        CompletableFuture<String> revoked = new CompletableFuture<>();
        Publication pull = hub.publishStandIn(key, "pull-1", revoked::complete);
        pull.send(video(0, true));
        Recorder held = new Recorder(loopA);
        hub.subscribe(key, held);
        assertThat(hub.endStandIn(key, "pull-2", "not mine")).isTrue();
        assertThat(hub.find(key).map(Stream::isLive)).hasValue(true);
        assertThat(revoked).isNotDone();
        assertThat(hub.endStandIn(key, "pull-1", "the stream ended at its origin")).isTrue();
        assertThat(revoked).isCompletedWithValue("the stream ended at its origin");
        assertThat(held.ended.get(5, TimeUnit.SECONDS)).isEqualTo("the stream ended at its origin");
        assertThat(hub.find(key)).isEmpty();

        // Within the grace after the stand-in's publication closed (its origin lost): still its stream.
        Publication lost = hub.publishStandIn(key, "pull-3", x -> { });
        Recorder waiting = new Recorder(loopA);
        hub.subscribe(key, waiting);
        lost.close();
        hub.endStandIn(key, "pull-3", "stream /live/demo is not live on any node");
        assertThat(waiting.ended.get(5, TimeUnit.SECONDS)).isEqualTo("stream /live/demo is not live on any node");

        // An on-demand stream no producer attached to yet (the pull's first frame never came): ended.
        hub.addSource(k -> k.equals(key));
        Recorder early = new Recorder(loopA);
        hub.subscribe(key, early);
        hub.endStandIn(key, "pull-4", "origin A refused the pull");
        assertThat(early.ended.get(5, TimeUnit.SECONDS)).isEqualTo("origin A refused the pull");

        // Pre-empted by a local publisher after the pull gave up: the publisher and the viewers stay.
        Publication preempted = hub.publishStandIn(key, "pull-5", x -> { });
        preempted.send(video(0, true));
        Recorder kept = new Recorder(loopA);
        hub.subscribe(key, kept);
        CompletableFuture<String> kicked = new CompletableFuture<>();
        Publication local = hub.publish(key, "local-1", kicked::complete);
        assertThat(hub.endStandIn(key, "pull-5", "the stream ended at its origin")).isTrue();
        assertThat(kicked).isNotDone();
        assertThat(hub.find(key).map(Stream::isLive)).hasValue(true);
        local.send(video(0, true));
        await(() -> kept.got.size() == 2);
        assertThat(kept.ended).isNotDone();
        // ... and so within the grace after that publisher left: the stream is no longer the stand-in's.
        local.close();
        hub.endStandIn(key, "pull-5", "the stream ended at its origin");
        assertThat(kicked).isNotDone();
        assertThat(hub.find(key)).isPresent();
        assertThat(kept.ended).isNotDone();
    }
}
