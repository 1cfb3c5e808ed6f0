package dev.vireo.transcode;

import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transcoding job: a source stream, an output key, and the ffmpeg process between them.
 *
 * <p>The job subscribes to the source like any viewer (frames are queued on the hub's event loop
 * and written to ffmpeg's stdin by a virtual thread), reads ffmpeg's stdout back and publishes it
 * under the output key. A supervisor thread restarts ffmpeg when it dies (backoff doubling from
 * {@link TranscodeConfig#restartBackoff()}, giving up after {@link #MAX_FAILURES} quick failures
 * in a row) while viewers stay attached, and kills it when the job stops: its last viewer gone for
 * the idle timeout, the source ended, the output kicked, or the server stopping.
 *
 * <p>Time: ffmpeg gets the source's time stamps minus a fixed base (the first media frame's time
 * minus {@link #HEADROOM_MS}) and runs with {@code -copyts}, so what comes out plus the base is
 * on the source's time line: A/V sync is ffmpeg's own, and a viewer switching between a stream and
 * its variants sees the same clock. The headroom keeps encoder priming (which starts a few
 * milliseconds before the first input) above zero, where muxers would otherwise shift everything.
 */
final class TranscodeJob {

    enum State { STARTING, RUNNING, RESTARTING, STOPPED }

    static final long HEADROOM_MS = 10_000;
    /** Crashes in a row, each before the process ran {@link #HEALTHY_RUN_NANOS}, before giving up. */
    static final int MAX_FAILURES = 5;
    private static final long HEALTHY_RUN_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Input backlog bounds: ffmpeg this far behind means it cannot keep up (see {@link InputQueue}). */
    private static final long QUEUE_MAX_BYTES = 16L << 20;
    private static final long QUEUE_MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A frame replayed from the source's GOP cache (not live) is older than this when it arrives. */
    private static final long LIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static final Logger log = LoggerFactory.getLogger(TranscodeJob.class);

    final Request request;
    private final TranscodeTemplate template;
    private final StreamHub hub;
    private final TranscodeConfig cfg;
    private final FfmpegInstall ffmpeg;
    private final EventExecutor executor;
    private final Consumer<TranscodeJob> onStopped;
    private final String id = "transcode-" + IDS.incrementAndGet();
    private final String prefix;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final InputQueue queue = new InputQueue(QUEUE_MAX_BYTES, QUEUE_MAX_WAIT_NANOS);
    private final LatencyMeter latency = new LatencyMeter();
    private final RateMeter rates = new RateMeter();
    private final OutputPublisher publisher;
    private final SourceConfigs configs = new SourceConfigs();
    private final CountDownLatch stoppedLatch = new CountDownLatch(1);
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicInteger restarts = new AtomicInteger();

    private volatile boolean sourceHasVideo;
    private volatile Subscription subscription;
    private volatile FfmpegProcess current;
    private volatile State state = State.STARTING;
    private volatile String lastError;
    private volatile String command = "";
    private volatile boolean stopped;
    /** The fixed shift between the source's and ffmpeg's time lines; set at the first media frame. */
    private volatile long baseMs = Long.MIN_VALUE;
    private Thread supervisor;
    /** On the executor only. */
    private long idleSince;
    /** Kept while its source is live, viewers or not (an eager browser variant). */
    private volatile boolean pinned;

    TranscodeJob(Request request, TranscodeTemplate template, StreamHub hub, TranscodeConfig cfg, FfmpegInstall ffmpeg,
                 EventExecutor executor, Consumer<TranscodeJob> onStopped) {
        this.request = request;
        this.template = template;
        this.hub = hub;
        this.cfg = cfg;
        this.ffmpeg = ffmpeg;
        this.executor = executor;
        this.onStopped = onStopped;
        this.prefix = request.output() + " [" + request.describe() + "]";
        this.publisher = new OutputPublisher(hub, request.output(), id, this::revoked, latency, rates,
                request.kind() == Request.Kind.HTML5);
    }

    /**
     * Subscribes to the source and starts the supervisor; does not block (called on a viewer's
     * event loop).
     *
     * @throws HubException when the source cannot be subscribed to any more
     */
    void start(Stream source) throws HubException {
        sourceHasVideo = source.hasVideo();
        subscription = hub.subscribe(request.source(), new Input());
        supervisor = Thread.ofVirtual().name(id).start(this::supervise);
        log.info("{} started ({})", prefix, id);
    }

    StreamKey output() {
        return request.output();
    }

    /** The template of a {@code {stream}_{id}} job, null for the other kinds. */
    TranscodeTemplate template() {
        return template;
    }

    // ---- supervision ----

    private void supervise() {
        // every line the supervisor thread logs carries the output key and the job id
        LogContext.run(request.output(), id, this::superviseInContext);
    }

    private void superviseInContext() {
        int failures = 0;
        try {
            while (!stopped) {
                Stream source = hub.find(request.source()).orElse(null);
                if (source == null) {
                    stop("source stream " + request.source().path() + " is gone");
                    break;
                }
                FfmpegCommand.Plan plan;
                try {
                    plan = FfmpegCommand.plan(request, template, SourceInfo.of(source), cfg, ffmpeg);
                } catch (TranscodeRefusal r) {
                    lastError = r.getMessage();
                    stop(r.getMessage());
                    break;
                }
                command = plan.summary();
                FfmpegProcess p;
                try {
                    p = FfmpegProcess.start(plan, id, log, prefix, this::writeInput, this::readOutput);
                } catch (IOException e) {
                    lastError = "ffmpeg did not start: " + e.getMessage();
                    if (++failures > MAX_FAILURES || !backoff(failures)) {
                        stop("transcoding failed: " + lastError);
                        break;
                    }
                    continue;
                }
                current = p;
                state = State.RUNNING;
                if (stopped) { // stop() may have run before current was set
                    p.kill();
                }
                log.debug("{} ffmpeg pid {}: {}", prefix, p.pid(), String.join(" ", p.command()));
                int exit = p.awaitEnd();
                current = null;
                if (stopped) {
                    break;
                }
                publisher.restarted();
                if (p.planned()) {
                    log.info("{} source parameters changed; ffmpeg restarted", prefix);
                    failures = 0;
                    continue;
                }
                restarts.incrementAndGet();
                lastError = exitReason(exit, p);
                boolean healthy = System.nanoTime() - p.startedNanos >= HEALTHY_RUN_NANOS;
                failures = healthy ? 1 : failures + 1;
                if (failures > MAX_FAILURES) {
                    log.warn("{} {}; giving up after {} failures in a row", prefix, lastError, failures - 1);
                    stop("transcoding failed: " + lastError);
                    break;
                }
                log.warn("{} {}; restarting", prefix, lastError);
                state = State.RESTARTING;
                if (!backoff(failures)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            FfmpegProcess p = current;
            if (p != null) {
                p.kill();
                p.awaitEndQuietly();
            }
            configs.release();
            state = State.STOPPED;
        }
    }

    /** "ffmpeg exited with code 1: <its last words>", "ffmpeg was killed by signal 9". */
    private static String exitReason(int exit, FfmpegProcess p) {
        // only what ffmpeg said just before dying explains it; older lines are start-up chatter
        String last = p.stderr.lastSince(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));
        String how = exit > 128 && exit < 160 ? "was killed by signal " + (exit - 128) : "exited with code " + exit;
        return "ffmpeg " + how + (last.isEmpty() ? "" : ": " + last);
    }

    /** Waits before restart number {@code failures}; false when the job stopped meanwhile. */
    private boolean backoff(int failures) throws InterruptedException {
        long first = cfg.restartBackoff().toMillis();
        long wait = Math.min(cfg.maxRestartBackoff().toMillis(), first << Math.min(20, Math.max(0, failures - 1)));
        return !stoppedLatch.await(wait, TimeUnit.MILLISECONDS);
    }

    // ---- stdin ----

    /** Writer thread of one process: queued frames to ffmpeg's stdin until the process ends. */
    private void writeInput(FfmpegProcess p) {
        Stream source = hub.find(request.source()).orElse(null);
        SourceInfo src = source == null ? null : SourceInfo.of(source);
        boolean video = sourceHasVideo;
        boolean needResume = true;
        // a browser variant that copies video must not pass B-frames, should they appear only now
        boolean watchReordering = request.kind() == Request.Kind.HTML5 && p.plan.copiesVideo();
        long maxVideoPts = Long.MIN_VALUE;
        int unwritable = 0;
        SourceConfigs.Written written = configs.new Written();
        try (OutputStream out = new BufferedOutputStream(p.process().getOutputStream(), 64 * 1024)) {
            if (src == null) {
                return;
            }
            PipeInput pipe = PipeInput.of(p.plan.input(), src);
            pipe.start(out);
            for (MediaFrame f : configs.current()) {
                try {
                    written.note(f);
                    pipe.write(f, ffmpegTime(f.dts()), out);
                } finally {
                    f.release();
                }
            }
            out.flush();
            queue.skipToLatestResumePoint(video);
            while (!stopped) {
                InputQueue.Entry e = queue.poll(1000);
                if (e == null) {
                    if (!p.isAlive()) {
                        return;
                    }
                    continue;
                }
                MediaFrame f = e.frame();
                try {
                    if (f.isConfig() || f.isData()) {
                        configs.remember(f);
                        if (written.changes(f)) {
                            // new parameters (a republish with another resolution or codec setup): a
                            // fresh ffmpeg is more reliable than a mid-stream switch, especially with copy
                            p.markPlanned();
                            return;
                        }
                        written.note(f);
                        pipe.write(f, ffmpegTime(f.dts()), out);
                    } else {
                        if (needResume) {
                            if (video && !(f.isVideo() && f.isKeyframe())) {
                                continue;
                            }
                            needResume = false;
                        }
                        if (watchReordering && f.isVideo()) {
                            if (f.pts() < maxVideoPts) {
                                log.info("{} the source has B-frames after all; ffmpeg restarted to remove them", prefix);
                                p.markPlanned();
                                return;
                            }
                            maxVideoPts = f.pts();
                        }
                        if (baseMs == Long.MIN_VALUE) {
                            baseMs = f.dts() - HEADROOM_MS;
                        }
                        pipe.write(f, f.dts() - baseMs, out);
                        framesIn.incrementAndGet();
                    }
                    if (queue.isEmpty()) {
                        out.flush();
                    }
                } catch (MediaFormatException ex) {
                    if (unwritable++ == 0) { // a broken source repeats itself: once per process is enough
                        log.warn("{} frame not written to ffmpeg: {}", prefix, ex.getMessage());
                    }
                } finally {
                    f.release();
                }
            }
        } catch (InterruptedException e) {
            // the process ended; the supervisor interrupts us
        } catch (IOException e) {
            if (!stopped && p.isAlive()) {
                log.debug("{} writing to ffmpeg failed: {}", prefix, e.getMessage());
            }
        } finally {
            if (p.planned()) {
                log.debug("{} closed ffmpeg's stdin to restart it", prefix);
            }
        }
    }

    /** A configuration's or metadata's time on ffmpeg's line: before the first media frame, 0. */
    private long ffmpegTime(long dts) {
        return baseMs == Long.MIN_VALUE ? 0 : Math.max(0, dts - baseMs);
    }

    // ---- stdout ----

    /** Reader thread of one process: ffmpeg's stdout to the hub until end of stream. */
    private void readOutput(FfmpegProcess p) {
        byte[] buf = new byte[64 * 1024];
        PipeOutput out = null;
        try (InputStream in = p.process().getInputStream()) {
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                if (out == null) {
                    out = PipeOutput.of(p.plan.output(), this::base, this::publish, log, prefix);
                }
                out.feed(buf, n);
            }
        } catch (IOException e) {
            log.debug("{} reading from ffmpeg ended: {}", prefix, e.getMessage());
        } catch (MediaFormatException e) {
            lastError = "unreadable ffmpeg output: " + e.getMessage();
            log.warn("{} {}", prefix, lastError);
            p.kill();
        } finally {
            if (out != null) {
                out.close();
            }
        }
    }

    /** The base for output frames: always set by then, as ffmpeg answers only after media went in. */
    private long base() {
        long b = baseMs;
        return b == Long.MIN_VALUE ? 0 : b;
    }

    private void publish(MediaFrame f) {
        try {
            publisher.publish(f);
        } catch (HubException e) {
            lastError = e.getMessage();
            stop("cannot publish " + request.output().path() + ": " + e.getMessage());
        }
    }

    // ---- stopping ----

    /** The hub revoked the output (kicked, server stopping). Any thread; {@link #stop} does not block. */
    private void revoked(String reason) {
        stop(reason);
    }

    /**
     * Stops the job: no more viewers can join it (the output stream ends with {@code reason}), the
     * source subscription ends, ffmpeg is killed by the supervisor. Idempotent, any thread, does
     * not block.
     */
    void stop(String reason) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        log.info("{} stopping: {}", prefix, reason);
        onStopped.accept(this);
        publisher.close();
        hub.kick(request.output(), reason);
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
        queue.close();
        stoppedLatch.countDown();
        FfmpegProcess p = current;
        if (p != null) {
            // killing waits for the process: not on the caller's (possibly event loop) thread
            Thread.ofVirtual().name(id + "-kill").start(p::kill);
        }
    }

    /** Waits until the supervisor has finished (its process is dead and reaped). */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        Thread t = supervisor;
        return t == null || t.join(timeout);
    }

    boolean isStopped() {
        return stopped;
    }

    // ---- idle ----

    /** A viewer of the output came: it is not idle. On the executor. */
    void viewerCame() {
        idleSince = 0;
    }

    /** Checks for no viewers since {@code idleTimeout}; stops or re-checks later. On the executor. */
    /** Keeps the job while its source is live, with or without viewers (transcode.html5-eager). */
    void pin() {
        pinned = true;
    }

    void idleCheck() {
        if (stopped) {
            return;
        }
        int viewers = hub.find(request.output()).map(Stream::viewerCount).orElse(0);
        if (viewers > 0) {
            idleSince = 0;
            return;
        }
        if (pinned && hub.find(request.source()).map(Stream::isLive).orElse(false)) {
            idleSince = 0;
            executor.schedule(this::idleCheck, cfg.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        long now = System.nanoTime();
        if (idleSince == 0) {
            idleSince = now;
        }
        long left = cfg.idleTimeout().toNanos() - (now - idleSince);
        if (left <= 0) {
            stop("no viewers for " + cfg.idleTimeout().toMillis() + " ms");
        } else {
            executor.schedule(this::idleCheck, left, TimeUnit.NANOSECONDS);
        }
    }

    // ---- stats ----

    TranscodeJobStats stats() {
        FfmpegProcess p = current;
        long first = publisher.firstFrameNanos();
        int viewers = hub.find(request.output()).map(Stream::viewerCount).orElse(0);
        return new TranscodeJobStats(request.output(), request.source(), request.describe(), state.name(), command,
                p == null ? -1 : p.pid(), startedAt, Duration.between(startedAt, Instant.now()), restarts.get(),
                first == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(first - startedNanos), rates.fps(), rates.speed(),
                latency.video(), latency.audio(), framesIn.get(), publisher.framesOut(), queue.dropped(), viewers,
                lastError);
    }

    /** The job's view of the source: what the hub delivers to it, on the executor. */
    private final class Input implements Subscriber {

        @Override
        public String id() {
            return id;
        }

        @Override
        public EventExecutor executor() {
            return executor;
        }

        /** Not a viewer of the source: no play/stop webhooks, not in its viewer count. */
        @Override
        public boolean internal() {
            return true;
        }

        @Override
        public void onFrame(MediaFrame frame) {
            long now = System.nanoTime();
            if (frame.isVideo() && !frame.isConfig()) {
                sourceHasVideo = true;
            }
            if (queue.offer(frame, now, sourceHasVideo) && !frame.isConfig() && !frame.isData()
                    && now - frame.ingestNanos() < LIVE_NANOS) {
                latency.input(frame.isVideo(), frame.pts(), now);
            }
        }

        @Override
        public void onEnd(String reason) {
            stop("source stream ended: " + reason);
        }
    }

    /**
     * The source's latest configuration and metadata frames, so that a restarted ffmpeg gets them
     * before anything else (they came once, at the start of the subscription).
     */
    private static final class SourceConfigs {
        private MediaFrame metadata;
        private MediaFrame video;
        private MediaFrame audio;
        private boolean released;

        synchronized void remember(MediaFrame f) {
            if (released) {
                return;
            }
            if (f.isData()) {
                metadata = replace(metadata, f);
            } else if (f.isVideo()) {
                video = replace(video, f);
            } else {
                audio = replace(audio, f);
            }
        }

        private static MediaFrame replace(MediaFrame old, MediaFrame fresh) {
            if (old != null) {
                old.release();
            }
            return fresh.retain();
        }

        synchronized void release() {
            released = true;
            for (MediaFrame f : new MediaFrame[] {metadata, video, audio}) {
                if (f != null) {
                    f.release();
                }
            }
            metadata = null;
            video = null;
            audio = null;
        }

        /** Retained copies, metadata first; the caller releases them. */
        synchronized List<MediaFrame> current() {
            List<MediaFrame> l = new ArrayList<>(3);
            for (MediaFrame f : new MediaFrame[] {metadata, video, audio}) {
                if (f != null) {
                    l.add(f.retain());
                }
            }
            return l;
        }

        /** What one process was given, to tell a real change from a repetition. */
        final class Written {
            private byte[] video;
            private byte[] audio;

            void note(MediaFrame f) {
                if (f.isConfig()) {
                    byte[] b = bytes(f);
                    if (f.isVideo()) {
                        video = b;
                    } else {
                        audio = b;
                    }
                }
            }

            boolean changes(MediaFrame f) {
                if (!f.isConfig()) {
                    return false;
                }
                byte[] before = f.isVideo() ? video : audio;
                return before != null && !Arrays.equals(before, bytes(f));
            }

            private static byte[] bytes(MediaFrame f) {
                return ByteBufUtil.getBytes(f.payload(), f.payload().readerIndex(),
                        f.payload().readableBytes());
            }
        }
    }
}
