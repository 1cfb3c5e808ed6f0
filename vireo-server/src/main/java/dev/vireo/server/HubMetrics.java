package dev.vireo.server;

import dev.vireo.core.HubListener;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Hub-wide meters: live streams and viewers (gauges), ingest bytes and frames (counters that
 * survive the end of each stream), publish and play counts. Ingest means what publishers send:
 * transcoding outputs ({@link Stream#isDerived()}) are left out of streams, ingest and publishes
 * (the transcoder has its own vireo_transcode_* meters); their viewers are viewers. Read at scrape time from the hub's
 * stream statistics, so the media path does no extra work for them.
 */
final class HubMetrics implements HubListener {

    private final StreamHub hub;
    private final Total bytesIn = new Total(StreamStats::bytesIn);
    private final Total framesIn = new Total(StreamStats::framesIn);
    private final Counter publishes;
    private final Counter plays;

    HubMetrics(StreamHub hub, MeterRegistry registry) {
        this.hub = hub;
        Gauge.builder("vireo.streams", hub, h -> h.streams().stream().filter(s -> !s.isDerived()).count())
                .description("ingested streams online (publishing or within the reconnect grace); transcoding"
                        + " outputs are not counted").register(registry);
        Gauge.builder("vireo.viewers", hub, h -> h.streams().stream().mapToInt(Stream::viewerCount).sum())
                .description("viewers attached, all protocols").register(registry);
        FunctionCounter.builder("vireo.ingest.bytes", bytesIn, Total::value).baseUnit("bytes")
                .description("media payload bytes received from publishers").register(registry);
        FunctionCounter.builder("vireo.ingest.frames", framesIn, Total::value)
                .description("media frames received from publishers").register(registry);
        publishes = Counter.builder("vireo.publishes").description("publish sessions started").register(registry);
        plays = Counter.builder("vireo.plays").description("play sessions started, all protocols").register(registry);
        hub.addListener(this);
    }

    @Override
    public void onPublish(Stream stream, String sessionId) {
        if (!stream.isDerived()) {
            publishes.increment();
        }
    }

    @Override
    public void onPlay(Stream stream, String sessionId) {
        plays.increment();
    }

    @Override
    public void onStreamEnd(Stream stream, String reason) {
        if (stream.isDerived()) {
            return;
        }
        StreamStats last = stream.stats();
        bytesIn.ended(last);
        framesIn.ended(last);
    }

    /**
     * A running total: what ended streams had, plus what live streams have now. Never goes down
     * (Prometheus would read a dip as a counter reset), even when a stream ends while being read.
     */
    private final class Total {

        private final ToLongFunction<StreamStats> field;
        private final AtomicLong ended = new AtomicLong();
        private final AtomicLong reported = new AtomicLong();

        Total(ToLongFunction<StreamStats> field) {
            this.field = field;
        }

        void ended(StreamStats last) {
            ended.addAndGet(field.applyAsLong(last));
        }

        double value() {
            long live = 0;
            for (Stream s : hub.streams()) {
                if (!s.isDerived()) {
                    live += field.applyAsLong(s.stats());
                }
            }
            long now = ended.get() + live;
            return reported.accumulateAndGet(now, Math::max);
        }
    }
}
