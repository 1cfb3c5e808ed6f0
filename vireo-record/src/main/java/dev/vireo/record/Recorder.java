package dev.vireo.record;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.core.fmp4.Fmp4Packer;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Records one stream to fragmented MP4: an internal reader of the stream (not a viewer) that cuts
 * one fragment per GOP (per second for audio only) with {@link Fmp4Packer} and appends it to the
 * current file. A new file starts when the rotation time has passed or the codec configuration
 * changed (at a keyframe); a publisher that comes back within the grace period with the same
 * configuration continues the same file (the hub keeps the time line). A write error (disk full)
 * ends this recording with a log line; the live stream goes on. Runs on its executor (a thread
 * for recordings, not an event loop: file writes block).
 */
final class Recorder implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(Recorder.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final long AUDIO_FRAGMENT_MILLIS = 1000;

    private final StreamKey key;
    private final Path dir;
    private final long rotateMillis;
    private final EventExecutor executor;
    private final Consumer<RecordingDone> onFileDone;
    private final Consumer<Recorder> onStop;
    private final Counters counters;
    private Subscription subscription;

    private MediaFrame videoConfig;
    private MediaFrame audioConfig;
    private Codec audioCodec;
    private boolean mediaSeen;
    private boolean configChanged;
    private boolean stopped;
    private Fmp4Packer packer;
    private RecordingFile file;
    private long fileStartDts;
    private long fragmentStartDts;
    private long lastVideoDts = -1;
    private long videoDelta = 33;
    private final List<MediaFrame> video = new ArrayList<>();
    private final List<MediaFrame> audio = new ArrayList<>();

    /** Bytes written and failures, for the metrics. */
    interface Counters {
        void written(long bytes);

        void failed();
    }

    Recorder(StreamKey key, Path dir, long rotateMillis, EventExecutor executor, Counters counters,
             Consumer<RecordingDone> onFileDone, Consumer<Recorder> onStop) {
        this.key = key;
        this.dir = dir;
        this.rotateMillis = rotateMillis;
        this.executor = executor;
        this.counters = counters;
        this.onFileDone = onFileDone;
        this.onStop = onStop;
    }

    void start(Subscription sub) {
        subscription = sub;
    }

    StreamKey key() {
        return key;
    }

    @Override
    public String id() {
        return "record-" + key;
    }

    @Override
    public EventExecutor executor() {
        return executor;
    }

    @Override
    public boolean internal() {
        return true;
    }

    @Override
    public void onFrame(MediaFrame f) {
        if (stopped || f.isData()) {
            return;
        }
        try {
            frame(f);
        } catch (RuntimeException e) {
            // a frame the packer cannot express (or a bug): this recording ends, its file stays playable
            counters.failed();
            inContext(() -> log.error("recording of {} stopped: {}", key, e.toString(), e));
            stop();
        }
    }

    private void frame(MediaFrame f) {
        if (f.isConfig()) {
            boolean same = f.isVideo() ? same(videoConfig, f) : same(audioConfig, f);
            if (f.isVideo()) {
                videoConfig = replace(videoConfig, f);
            } else {
                audioConfig = replace(audioConfig, f);
                audioCodec = f.codec();
            }
            configChanged |= mediaSeen && !same;
            return;
        }
        if (f.isAudio()) {
            if (audioCodec == null) {
                audioCodec = f.codec();
            }
            if (f.codec() != Codec.AAC && f.codec() != Codec.OPUS) {
                return;
            }
        }
        mediaSeen = true;
        boolean hasVideo = videoConfig != null;
        boolean boundary = hasVideo ? f.isVideo() && f.isKeyframe()
                : f.isAudio() && (file == null || f.dts() - fragmentStartDts >= AUDIO_FRAGMENT_MILLIS);
        try {
            if (boundary) {
                if (file != null) {
                    flush(f.dts());
                    if (configChanged || f.dts() - fileStartDts >= rotateMillis) {
                        closeFile(configChanged ? "codec configuration changed" : "rotation");
                    }
                }
                if (file == null) {
                    openFile(f);
                }
                fragmentStartDts = f.dts();
            }
            if (file == null || packer == null || !packer.carries(f)) {
                return;
            }
            (f.isVideo() ? video : audio).add(f.retain());
            if (f.isVideo()) {
                if (lastVideoDts >= 0 && f.dts() > lastVideoDts) {
                    videoDelta = f.dts() - lastVideoDts;
                }
                lastVideoDts = f.dts();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    private void openFile(MediaFrame first) throws IOException {
        packer = Fmp4Packer.of(videoConfig, audioConfig, audioCodec);
        configChanged = false;
        if (packer == null) {
            return;
        }
        Path path = dir.resolve(key.vhost()).resolve(key.app()).resolve(key.stream())
                .resolve(NAME.format(Instant.now()) + ".mp4");
        file = RecordingFile.create(path, packer.init());
        counters.written(packer.init().length);
        fileStartDts = first.dts();
        inContext(() -> log.info("recording {} to {}", key, path));
    }

    /** Writes the pending frames as one fragment ending at {@code endDts}. */
    private void flush(long endDts) throws IOException {
        try {
            if (file == null || (video.isEmpty() && audio.isEmpty())) {
                return;
            }
            byte[] fragment = packer.fragment(video, endDts, audio);
            if (fragment != null) {
                file.append(fragment);
                counters.written(fragment.length);
            }
        } finally {
            releasePending();
        }
    }

    private void closeFile(String reason) throws IOException {
        RecordingFile f = file;
        file = null;
        if (f == null) {
            return;
        }
        f.close();
        long duration = Math.max(0, (lastVideoDts >= 0 ? lastVideoDts + videoDelta : fragmentStartDts) - fileStartDts);
        inContext(() -> log.info("recording of {} done: {} ({} bytes, {} ms, {})", key, f.path(), f.bytes(), duration,
                reason));
        onFileDone.accept(new RecordingDone(key, f.path(), f.bytes(), duration, reason));
    }

    @Override
    public void onEnd(String reason) {
        if (stopped) {
            return;
        }
        try {
            flush(lastVideoDts >= 0 ? lastVideoDts + videoDelta : fragmentStartDts + AUDIO_FRAGMENT_MILLIS);
            closeFile("stream ended: " + reason);
        } catch (IOException e) {
            fail(e);
            return;
        }
        stop();
    }

    private void fail(IOException e) {
        counters.failed();
        inContext(() -> log.error("recording of {} stopped: cannot write {}: {} (the live stream goes on)", key,
                file == null ? dir : file.path(), e.toString()));
        try {
            if (file != null) {
                file.close();
            }
        } catch (IOException ignored) {
            // already failing
        }
        file = null;
        stop();
    }

    /** Stops on the executor; idempotent. */
    void stop() {
        if (!executor.inEventLoop()) {
            executor.execute(this::stop);
            return;
        }
        if (stopped) {
            return;
        }
        if (file != null) {
            try {
                flush(lastVideoDts >= 0 ? lastVideoDts + videoDelta : fragmentStartDts);
                closeFile("recording stopped");
            } catch (IOException e) {
                counters.failed();
            }
        }
        stopped = true;
        releasePending();
        videoConfig = release(videoConfig);
        audioConfig = release(audioConfig);
        if (subscription != null) {
            subscription.close();
        }
        onStop.accept(this);
    }

    private void releasePending() {
        video.forEach(MediaFrame::release);
        audio.forEach(MediaFrame::release);
        video.clear();
        audio.clear();
    }

    private static boolean same(MediaFrame a, MediaFrame b) {
        return a != null && a.codec() == b.codec() && ByteBufUtil.equals(a.payload(), b.payload());
    }

    private static MediaFrame replace(MediaFrame old, MediaFrame fresh) {
        release(old);
        return fresh.retain();
    }

    private static MediaFrame release(MediaFrame f) {
        if (f != null) {
            f.release();
        }
        return null;
    }

    private void inContext(Runnable logStatement) {
        MDC.put("streamKey", key.toString());
        MDC.put("sessionId", id());
        try {
            logStatement.run();
        } finally {
            MDC.remove("streamKey");
            MDC.remove("sessionId");
        }
    }
}
