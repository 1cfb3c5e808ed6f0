package dev.vireo.transcode;

import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.transcode.ffmpeg.FfmpegInstall;
import dev.vireo.transcode.meter.FrameTimings;
import dev.vireo.transcode.meter.GapClock;
import dev.vireo.transcode.pipe.InputQueue;
import dev.vireo.transcode.pipe.SourceConfigs;
import dev.vireo.transcode.pipe.TimeBase;
import dev.vireo.transcode.templates.TranscodeTemplate;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transcoding job: a source stream, an output key, and the ffmpeg process between them.
 *
 * <p>The job subscribes to the source like any viewer (frames are queued on the hub's event loop
 * in an {@link InputQueue}), and its parts do the rest: the {@link FfmpegSupervisor} runs ffmpeg
 * on a virtual thread and restarts it when it dies ({@link dev.vireo.transcode.ffmpeg.RestartPolicy})
 * while viewers stay attached; each process's {@link InputWriter} writes the queued frames to its
 * stdin and its {@link OutputReader} reads its stdout back to the {@link OutputPublisher}, which
 * publishes it under the output key; {@link JobMeters} keeps the stats. The job stops — ffmpeg
 * killed — when its last viewer has been gone for the idle timeout, the source ended, the output
 * was kicked, or the server stops.
 *
 * <p>Time: ffmpeg gets the source's time stamps minus a fixed base ({@link TimeBase}) and runs
 * with {@code -copyts}, so what comes out plus the base is on the source's time line: A/V sync is
 * ffmpeg's own, and a viewer switching between a stream and its variants sees the same clock.
 * Video that goes past ffmpeg (a browser variant's that needs no change, the AAC variant's) is
 * the source's own frames, so it is on that time line as it is.
 */
final class TranscodeJob {

    /** Input backlog bounds: ffmpeg this far behind means it cannot keep up (see {@link InputQueue}). */
    private static final long QUEUE_MAX_BYTES = 16L << 20;
    private static final long QUEUE_MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A frame replayed from the source's GOP cache (not live) is older than this when it arrives. */
    private static final long LIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static final Logger log = LoggerFactory.getLogger(TranscodeJob.class);

    final Request request;
    final String id = "transcode-" + IDS.incrementAndGet();
    final String prefix;
    private final TranscodeTemplate template;
    private final StreamHub hub;
    private final TranscodeConfig cfg;
    private final EventExecutor executor;
    private final Consumer<TranscodeJob> onStopped;
    private final FrameTimings timings;
    /** Arrival of the source's frames, on the executor only. */
    private final GapClock inputGaps = new GapClock();
    private final InputQueue queue = new InputQueue(QUEUE_MAX_BYTES, QUEUE_MAX_WAIT_NANOS);
    private final JobMeters meters = new JobMeters();
    private final OutputPublisher publisher;
    private final FfmpegSupervisor supervisor;

    private volatile boolean sourceHasVideo;
    private volatile Subscription subscription;
    private volatile boolean stopped;
    private Thread supervisorThread;
    /** On the executor only. */
    private long idleSince;
    /** Kept while its source is live, viewers or not (an eager browser variant). */
    private volatile boolean pinned;

    TranscodeJob(Request request, TranscodeTemplate template, StreamHub hub, TranscodeConfig cfg, FfmpegInstall ffmpeg,
                 EventExecutor executor, FrameTimings timings, Consumer<TranscodeJob> onStopped) {
        this.request = request;
        this.template = template;
        this.hub = hub;
        this.cfg = cfg;
        this.executor = executor;
        this.onStopped = onStopped;
        this.timings = timings;
        this.prefix = request.output() + " [" + request.describe() + "]";
        this.publisher = new OutputPublisher(hub, request.output(), id, this::stop, meters.latency, meters.rates,
                request.kind() == Request.Kind.HTML5, timings);
        SourceConfigs configs = new SourceConfigs();
        TimeBase time = new TimeBase();
        InputWriter writer = new InputWriter(hub, request, queue, configs, time, meters, prefix,
                this::isStopped, () -> sourceHasVideo, this::publish);
        OutputReader reader = new OutputReader(time, this::publish, meters, prefix);
        this.supervisor = new FfmpegSupervisor(this, hub, cfg, ffmpeg, meters, writer, reader, publisher, configs);
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
        // every line the supervisor thread logs carries the output key and the job id
        supervisorThread = Thread.ofVirtual().name(id).start(() -> LogContext.run(request.output(), id, supervisor::run));
        log.info("{} started ({})", prefix, id);
    }

    StreamKey output() {
        return request.output();
    }

    /** The template of a {@code {stream}_{id}} job, null for the other kinds. */
    TranscodeTemplate template() {
        return template;
    }

    private void publish(MediaFrame f) {
        try {
            publisher.publish(f);
        } catch (HubException e) {
            meters.lastError = e.getMessage();
            stop("cannot publish " + request.output().path() + ": " + e.getMessage());
        }
    }

    // ---- stopping ----

    /**
     * Stops the job: no more viewers can join it (the output stream ends with {@code reason}), the
     * source subscription ends, ffmpeg is killed by the supervisor. Idempotent, any thread, does
     * not block. Also what the hub calls when it revokes the output (kicked, server stopping).
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
        supervisor.jobStopped();
    }

    /** Waits until the supervisor has finished (its process is dead and reaped). */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        Thread t = supervisorThread;
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

    /** Keeps the job while its source is live, with or without viewers (transcode.html5-eager). */
    void pin() {
        pinned = true;
    }

    /** Checks for no viewers since {@code idleTimeout}; stops or re-checks later. On the executor. */
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
        int viewers = hub.find(request.output()).map(Stream::viewerCount).orElse(0);
        return meters.snapshot(request, supervisor.pid(), publisher.firstFrameNanos(), publisher.framesOut(),
                queue.dropped(), viewers);
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
            if (!frame.isConfig() && !frame.isData()) {
                long gap = inputGaps.gap(frame.isVideo(), now);
                if (gap >= 0) {
                    timings.gap(FrameTimings.Stage.IN, frame.isVideo(), gap);
                }
            }
            if (queue.offer(frame, now, sourceHasVideo) && !frame.isConfig() && !frame.isData()
                    && now - frame.ingestNanos() < LIVE_NANOS) {
                meters.latency.input(frame.isVideo(), frame.pts(), now);
            }
        }

        @Override
        public void onEnd(String reason) {
            stop("source stream ended: " + reason);
        }
    }
}
