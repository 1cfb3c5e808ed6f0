package dev.vireo.record;

import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one stream to fragmented MP4 or FLV: an internal reader of the stream (not a viewer)
 * that cuts one chunk per GOP (per second for audio only) with a {@link FilePacker} and appends it
 * to the current file in one write. A new file starts when the rotation time has passed or the codec configuration
 * changed (at a keyframe); a publisher that comes back within the grace period with the same
 * configuration continues the same file (the hub keeps the time line). A write error (disk full)
 * ends this recording with a log line and a {@link RecordingDone} saying so; the live stream goes
 * on. The policy may change while recording: the format and rotation apply from the next file. Runs on its executor (a thread
 * for recordings, not an event loop: file writes block).
 */
final class Recorder implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(Recorder.class);
    private static final long AUDIO_FRAGMENT_MILLIS = 1000;

    private final StreamKey key;
    private final Path dir;
    private volatile RecordPolicy policy;
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
    private FilePacker packer;
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

        /** A file was created and is being written. */
        default void opened(Path file) {
        }

        /** The file is no longer written (finished or failed). */
        default void closed(Path file) {
        }
    }

    Recorder(StreamKey key, Path dir, RecordPolicy policy, EventExecutor executor, Counters counters,
             Consumer<RecordingDone> onFileDone, Consumer<Recorder> onStop) {
        this.key = key;
        this.dir = dir;
        this.policy = policy;
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

    RecordPolicy policy() {
        return policy;
    }

    /** A changed rule: the format and rotation apply from the next file. */
    void policy(RecordPolicy p) {
        policy = p;
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
                    if (configChanged || f.dts() - fileStartDts >= policy.rotate().toMillis()) {
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
        RecordFormat format = policy.format();
        packer = FilePacker.of(format, videoConfig, audioConfig, audioCodec, first.dts());
        configChanged = false;
        if (packer == null) {
            return;
        }
        Path path = dir.resolve(key.vhost()).resolve(key.app()).resolve(key.stream())
                .resolve(RecordingNames.fileName(Instant.now(), format));
        byte[] header = packer.header();
        file = RecordingFile.create(path, header);
        counters.opened(path.toAbsolutePath().normalize());
        counters.written(header.length);
        fileStartDts = first.dts();
        inContext(() -> log.info("recording {} to {}", key, path));
    }

    /** Writes the pending frames as one fragment ending at {@code endDts}. */
    private void flush(long endDts) throws IOException {
        try {
            if (file == null || (video.isEmpty() && audio.isEmpty())) {
                return;
            }
            byte[] fragment = packer.chunk(video, endDts, audio);
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
        try {
            f.close();
        } finally {
            counters.closed(f.path().toAbsolutePath().normalize());
        }
        long duration = duration();
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

    private long duration() {
        return Math.max(0, (lastVideoDts >= 0 ? lastVideoDts + videoDelta : fragmentStartDts) - fileStartDts);
    }

    private void fail(IOException e) {
        counters.failed();
        RecordingFile f = file;
        inContext(() -> log.error("recording of {} stopped: cannot write {}: {} (the live stream goes on)", key,
                f == null ? dir : f.path(), e.toString()));
        file = null;
        if (f != null) {
            try {
                f.close();
            } catch (IOException ignored) {
                // already failing
            } finally {
                counters.closed(f.path().toAbsolutePath().normalize());
            }
            // what was written before the error plays: it is a recording, closed by the failure
            onFileDone.accept(new RecordingDone(key, f.path(), f.bytes(), duration(),
                    "write failed: " + e.getMessage()));
        }
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
        LogContext.run(key, id(), logStatement);
    }
}
