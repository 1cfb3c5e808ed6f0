package dev.vireo.webrtc.whep;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hub with one live stream for the loss tests: ffmpeg's 640x360 test pattern (H.264 at 30 fps,
 * a keyframe a second, no B-frames) and a 440 Hz Opus tone paced in real time beside it.
 */
final class AvSource implements AutoCloseable {

    final StreamHub hub;
    final StreamKey key;
    private final DefaultEventExecutor timer = new DefaultEventExecutor();
    private final Publication publication;
    private final FfmpegFlvSource encoder;
    private final ScheduledExecutorService audioClock = Executors.newSingleThreadScheduledExecutor();

    /** Kbit/s of the lower rendition {@link #withLowRendition} publishes. */
    static final int LOW_KBPS = 250;

    private Publication lowPublication;
    private FfmpegFlvSource lowEncoder;

    AvSource(Path dir, StreamKey key, int seconds) throws Exception {
        this.key = key;
        hub = new StreamHub(HubConfig.defaults(), timer);
        publication = hub.publish(key, "ffmpeg+opus", reason -> { });
        OggOpus opus = OggOpus.tone(dir, 10);
        publication.send(MediaFrame.config(Codec.OPUS, 0, Unpooled.wrappedBuffer(opus.head())));
        long[] firstVideo = {-1};
        encoder = FfmpegFlvSource.testPattern(dir, seconds, frame -> {
            if (firstVideo[0] < 0) {
                firstVideo[0] = System.nanoTime();
            }
            publication.send(frame);
        });
        AtomicInteger next = new AtomicInteger();
        audioClock.scheduleAtFixedRate(() -> {
            if (firstVideo[0] < 0) {
                return;
            }
            int i = next.getAndIncrement();
            byte[] packet = opus.packets().get(i % opus.packets().size());
            publication.send(MediaFrame.media(Codec.OPUS, i * 20L, 0, false, Unpooled.wrappedBuffer(packet)));
        }, 20, 20, TimeUnit.MILLISECONDS);
        Await.until(Duration.ofSeconds(30), "the encoder's first GOP in the hub",
                () -> hub.find(key).map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
    }

    /**
     * Also publishes {@code {key}_low}: the pattern at 320x180 and {@link #LOW_KBPS} (video only,
     * as a transcode template's rendition plays its video), for an ABR ladder.
     */
    StreamKey withLowRendition(Path dir, int seconds) throws Exception {
        StreamKey low = StreamKey.of(key.app(), key.stream() + "_low");
        lowPublication = hub.publish(low, "ffmpeg-low", reason -> { });
        lowEncoder = FfmpegFlvSource.lowTestPattern(dir, seconds, LOW_KBPS, lowPublication::send);
        Await.until(Duration.ofSeconds(30), "the low rendition's first GOP in the hub",
                () -> hub.find(low).map(s -> s.stats().gopCacheFrames() > 0).orElse(false));
        return low;
    }

    /** The source's measured bitrate (video and audio), bit/s. */
    long bitrateBps() {
        return hub.find(key).map(s -> Math.round(s.stats().bitrateKbps() * 1000)).orElse(0L);
    }

    @Override
    public void close() throws Exception {
        audioClock.shutdownNow();
        try {
            encoder.close();
            if (lowEncoder != null) {
                lowEncoder.close();
                lowPublication.close();
            }
        } finally {
            publication.close();
            hub.close();
            timer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
