package dev.vireo.transcode;

import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.media.Codec;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG snapshots of live streams: the latest keyframe (taken from the stream's GOP cache by a
 * short-lived internal reader, like any viewer's start), muxed into a tiny MPEG-TS with its
 * parameter sets by {@code vireo-media}'s {@link TsMuxer} and decoded by one ffmpeg run. At most
 * one ffmpeg per stream per {@code minInterval}: a fresh picture is cached and shared, and
 * requests that come while one is being made wait for it.
 */
public final class Snapshots implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Snapshots.class);
    private static final long GRAB_TIMEOUT_MILLIS = 10_000;
    private static final long FFMPEG_TIMEOUT_MILLIS = 10_000;
    /** Largest JPEG accepted from ffmpeg. */
    private static final int MAX_JPEG = 8 << 20;

    /** Why a snapshot cannot be made; {@code notFound}: the stream is not live (404), else 503. */
    public static final class Unavailable extends RuntimeException {
        private final boolean notFound;

        Unavailable(String reason, boolean notFound) {
            super(reason, null, false, false);
            this.notFound = notFound;
        }

        public boolean notFound() {
            return notFound;
        }
    }

    private record Cached(CompletableFuture<byte[]> jpeg, long madeNanos) {
    }

    private final StreamHub hub;
    private final Transcoder transcoder;
    private final long minIntervalNanos;
    private final EventExecutor loop = new DefaultEventExecutor(new DefaultThreadFactory("vireo-snapshots", true));
    private final ConcurrentHashMap<StreamKey, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param transcoder whose ffmpeg is used (found at its start)
     * @param minInterval a picture is made at most this often per stream; requests in between get
     *     the cached one
     */
    public Snapshots(StreamHub hub, Transcoder transcoder, Duration minInterval) {
        this.hub = hub;
        this.transcoder = transcoder;
        this.minIntervalNanos = minInterval.toNanos();
    }

    /** The stream's latest keyframe as JPEG; fails with {@link Unavailable}. */
    public CompletableFuture<byte[]> jpeg(StreamKey key) {
        if (hub.find(key).isEmpty()) {
            cache.remove(key);
            return CompletableFuture.failedFuture(new Unavailable("stream " + key.path() + " is not live", true));
        }
        long now = System.nanoTime();
        Cached c = cache.compute(key, (k, old) -> old != null
                && (!old.jpeg().isDone() || now - old.madeNanos() < minIntervalNanos && !old.jpeg().isCompletedExceptionally())
                ? old : new Cached(make(k), now));
        return c.jpeg();
    }

    private CompletableFuture<byte[]> make(StreamKey key) {
        String ffmpeg = transcoder.ffmpegExecutable();
        if (ffmpeg == null) {
            return CompletableFuture.failedFuture(new Unavailable("snapshots unavailable: " + transcoder.ffmpegProblem(),
                    false));
        }
        return grab(key, GRAB_TIMEOUT_MILLIS).thenApplyAsync(ts -> decode(ffmpeg, key, ts),
                task -> Thread.ofVirtual().start(task));
    }

    /** The MPEG-TS of the stream's video configuration and latest keyframe, within {@code timeoutMillis}. */
    CompletableFuture<byte[]> grab(StreamKey key, long timeoutMillis) {
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        Grabber g = new Grabber(key, out);
        try {
            Subscription sub = hub.subscribe(key, g);
            out.whenComplete((b, e) -> {
                sub.close();
                g.over();
            });
        } catch (HubException e) {
            out.completeExceptionally(new Unavailable(e.getMessage(), true));
            return out;
        }
        loop.schedule(() -> out.completeExceptionally(new Unavailable("no keyframe of " + key.path() + " within "
                + timeoutMillis + " ms", false)), timeoutMillis, TimeUnit.MILLISECONDS);
        return out;
    }

    /** Reads the start-up burst (sequence headers, then the GOP cache) up to the first keyframe. */
    private final class Grabber implements Subscriber {
        private final StreamKey key;
        private final CompletableFuture<byte[]> out;
        private MediaFrame config;

        Grabber(StreamKey key, CompletableFuture<byte[]> out) {
            this.key = key;
            this.out = out;
        }

        @Override
        public String id() {
            return "snapshot-" + key;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public boolean internal() {
            return true;
        }

        @Override
        public void onFrame(MediaFrame f) {
            if (out.isDone() || !f.isVideo()) {
                return;
            }
            if (f.isConfig()) {
                if (config != null) {
                    config.release();
                }
                config = f.retain();
                return;
            }
            if (!f.isKeyframe() || config == null) {
                return;
            }
            MediaFrame c = config;
            config = null;
            try {
                if (f.codec() != Codec.H264 && f.codec() != Codec.H265) {
                    throw new Unavailable("snapshots of " + f.codec() + " streams are not supported", false);
                }
                TsMuxer mux = new TsMuxer(f.codec(), null);
                ByteBuf ts = Unpooled.buffer(f.payload().readableBytes() + 4096);
                mux.write(TsSample.config(c.codec(), 0, c.payload().duplicate()), ts);
                mux.write(TsSample.media(f.codec(), 0, 0, true, f.payload().duplicate()), ts);
                out.complete(ByteBufUtil.getBytes(ts));
            } catch (RuntimeException e) {
                out.completeExceptionally(e instanceof Unavailable ? e : new Unavailable("cannot read the keyframe of "
                        + key.path() + ": " + e.getMessage(), false));
            } finally {
                c.release();
            }
        }

        /**
         * The grab is over (a picture, no keyframe in time, the stream's end): the sequence header
         * kept for it goes, on the loop, where frames come. Any thread.
         */
        void over() {
            if (loop.inEventLoop()) {
                dropConfig();
                return;
            }
            try {
                loop.execute(this::dropConfig);
            } catch (RejectedExecutionException e) {
                dropConfig(); // the loop is gone: no frame can come any more
            }
        }

        private void dropConfig() {
            if (config != null) {
                config.release();
                config = null;
            }
        }

        @Override
        public void onEnd(String reason) {
            out.completeExceptionally(new Unavailable("stream " + key.path() + " ended: " + reason, true));
            dropConfig();
        }
    }

    /** One ffmpeg run (blocking, on a virtual thread): MPEG-TS in, one JPEG out. */
    private static byte[] decode(String ffmpeg, StreamKey key, byte[] ts) {
        Process p;
        try {
            p = new ProcessBuilder(List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "mpegts",
                    "-i", "pipe:0", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2pipe", "pipe:1"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new Unavailable("cannot run ffmpeg: " + e.getMessage(), false);
        }
        try {
            Thread.ofVirtual().start(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(ts);
                } catch (IOException e) {
                    // ffmpeg exited early; its exit code says what happened
                }
            });
            CompletableFuture<byte[]> jpeg = CompletableFuture.supplyAsync(() -> readBounded(p.getInputStream()),
                    task -> Thread.ofVirtual().start(task));
            if (!p.waitFor(FFMPEG_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new Unavailable("ffmpeg made no picture of " + key.path() + " within " + FFMPEG_TIMEOUT_MILLIS
                        + " ms", false);
            }
            byte[] b = jpeg.get(FFMPEG_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (p.exitValue() != 0 || b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
                throw new Unavailable("ffmpeg could not decode the keyframe of " + key.path() + " (exit "
                        + p.exitValue() + ")", false);
            }
            log.debug("snapshot of {}: {} bytes", key, b.length);
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", false);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new Unavailable("ffmpeg output unreadable: " + e.getMessage(), false);
        } finally {
            p.destroyForcibly();
        }
    }

    private static byte[] readBounded(InputStream in) {
        try {
            byte[] b = in.readNBytes(MAX_JPEG + 1);
            if (b.length > MAX_JPEG) {
                throw new Unavailable("snapshot larger than " + MAX_JPEG + " bytes", false);
            }
            return b;
        } catch (IOException e) {
            throw new Unavailable("ffmpeg output unreadable: " + e.getMessage(), false);
        }
    }

    @Override
    public void close() {
        cache.clear();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
