package dev.vireo.transcode;

import dev.vireo.core.HubException;
import dev.vireo.core.HubListener;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.transcode.ffmpeg.FfmpegInstall;
import dev.vireo.transcode.html5.EagerHtml5;
import dev.vireo.transcode.meter.FrameTimings;
import dev.vireo.transcode.templates.TemplateCatalog;
import dev.vireo.transcode.templates.TranscodeTemplate;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On-demand transcoding with ffmpeg: the {@link dev.vireo.core.StreamSource} behind
 * {@code {stream}_{templateId}} (templates from a {@link TemplateCatalog}), {@code {stream}@html5}
 * ({@link dev.vireo.transcode.html5.Html5Variant}: AAC→Opus, B-frames removed, for WebRTC viewers)
 * and {@code {stream}@aac} ({@link AacVariant}: Opus→AAC, for RTMP/FLV/HLS viewers of WebRTC publishers).
 *
 * <p>A job starts when the first viewer asks for its key while the source is live, is shared by
 * every viewer of that key, and stops when its last viewer has been gone for the idle timeout
 * (or the source ends). At most {@link TranscodeConfig#maxJobs()} run at once; beyond that, and
 * when ffmpeg is missing, viewers are refused with the reason.
 *
 * <pre>{@code
 * Transcoder transcoder = new Transcoder(TranscodeConfig.defaults(), hub, TemplateCatalog.builtIn());
 * transcoder.start();   // checks ffmpeg, registers with the hub
 * ...
 * transcoder.close();   // kills every job
 * }</pre>
 */
public final class Transcoder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Transcoder.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final TranscodeConfig cfg;
    private final StreamHub hub;
    private final TemplateCatalog catalog;
    /** Runs the jobs' source subscriptions (frames are only queued there) and the idle timers. */
    private final DefaultEventExecutor executor =
            new DefaultEventExecutor(new DefaultThreadFactory("vireo-transcode", true));
    private final Map<StreamKey, TranscodeJob> jobs = new HashMap<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong restartsOfStopped = new AtomicLong();
    private volatile FfmpegInstall ffmpeg = FfmpegInstall.unusable("ffmpeg", "transcoding is not started");
    private volatile boolean running;
    private volatile boolean closed;
    private volatile FrameTimings timings = FrameTimings.NONE;

    public Transcoder(TranscodeConfig cfg, StreamHub hub, TemplateCatalog catalog) {
        this.cfg = cfg;
        this.hub = hub;
        this.catalog = catalog;
    }

    /** Where jobs report the gaps between frames at both ends (metrics); for jobs started from now on. */
    public void frameTimings(FrameTimings timings) {
        this.timings = timings;
    }

    /**
     * Finds ffmpeg (runs it once: blocks for tens of milliseconds) and registers with the hub.
     * Without a usable ffmpeg the server still starts: a warning is logged, and viewers of
     * transcoded keys are refused with the reason.
     */
    public void start() {
        if (running || closed) {
            throw new IllegalStateException(closed ? "transcoder closed" : "transcoder already started");
        }
        ffmpeg = FfmpegInstall.probe(cfg.ffmpeg(), PROBE_TIMEOUT);
        if (ffmpeg.usable()) {
            log.info("transcoding with {} ({}); up to {} jobs, preset {}, idle timeout {} ms", ffmpeg.executable(),
                    ffmpeg.version(), cfg.maxJobs(), cfg.x264Preset(), cfg.idleTimeout().toMillis());
            for (String encoder : List.of("libx264", "aac", "libopus")) {
                if (ffmpeg.lacking(encoder) != null) {
                    log.warn("{}: jobs that need it will be refused", ffmpeg.lacking(encoder));
                }
            }
        } else {
            log.warn("{}; transcoding templates and browser (@html5) variants will be refused. Install ffmpeg "
                    + "or set the ffmpeg path.", ffmpeg.problem());
        }
        hub.addListener(new IdleWatch());
        hub.addSource(this::demand);
        running = true;
    }

    /**
     * The stream a derived key is made from ({@code demo_lhd}, {@code demo@html5} → {@code demo}),
     * when the key names one: an edge pulls a variant from the node publishing its source.
     */
    public static java.util.Optional<StreamKey> sourceOf(StreamKey key) {
        return Request.parse(key).map(Request::source);
    }

    /** True when ffmpeg was found and runs. */
    public boolean available() {
        return ffmpeg.usable();
    }

    /** The ffmpeg executable found at start, or null when there is none. */
    String ffmpegExecutable() {
        FfmpegInstall f = ffmpeg;
        return f.usable() ? f.executable() : null;
    }

    /** Why ffmpeg cannot run, or null when it can. */
    String ffmpegProblem() {
        return ffmpeg.problem();
    }

    /** ffmpeg's version line, or "" when unavailable. */
    public String ffmpegVersion() {
        return ffmpeg.version();
    }

    /** Snapshots of the running jobs, by output key. */
    public List<TranscodeJobStats> jobs() {
        List<TranscodeJob> list;
        synchronized (jobs) {
            list = new ArrayList<>(jobs.values());
        }
        return list.stream().map(TranscodeJob::stats)
                .sorted(Comparator.comparing(s -> s.output().toString())).toList();
    }

    /** The running job that publishes {@code output}, if any. */
    public java.util.Optional<TranscodeJobStats> jobStats(StreamKey output) {
        TranscodeJob j = job(output);
        return j == null ? java.util.Optional.empty() : java.util.Optional.of(j.stats());
    }

    /** Jobs running now (a gauge). */
    public int activeJobs() {
        synchronized (jobs) {
            return jobs.size();
        }
    }

    /** Jobs started since start (a counter). */
    public long jobsStarted() {
        return started.get();
    }

    /** Requests refused (unknown template, capacity, ffmpeg missing, ...) since start (a counter). */
    public long refusals() {
        return refused.get();
    }

    /** ffmpeg restarts after crashes, over all jobs ever, since start (a counter). */
    public long restarts() {
        long n = restartsOfStopped.get();
        for (TranscodeJobStats s : jobs()) {
            n += s.restarts();
        }
        return n;
    }

    public TranscodeConfig config() {
        return cfg;
    }

    /**
     * The catalog's templates changed: jobs whose template is gone are stopped (their viewers get
     * the end of the stream, and asking again gets the refusal), and jobs whose template is now
     * different are stopped too (asking again starts one with the new template). Any thread,
     * does not block.
     */
    public void templatesChanged() {
        List<TranscodeJob> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        for (TranscodeJob j : all) {
            if (j.request.kind() != Request.Kind.TEMPLATE) {
                continue;
            }
            String id = j.request.templateId();
            TranscodeTemplate now = catalog.find(j.request.source(), id).orElse(null);
            if (now == null) {
                j.stop("transcoding template '" + id + "' was deleted");
            } else if (!now.equals(j.template())) {
                j.stop("transcoding template '" + id + "' was changed");
            }
        }
    }

    /**
     * Starts the browser variant of new streams that need one (AAC audio, B-frames) at publish
     * time, before any viewer asks, when {@code wanted} says browsers play the stream over WebRTC
     * with HTML5 transcoding on ({@code transcode.html5-eager}): a first WebRTC viewer then finds
     * the variant running instead of waiting for ffmpeg. Such a variant runs while its source is
     * live. Call once.
     */
    public void startHtml5Eagerly(java.util.function.Predicate<StreamKey> wanted) {
        hub.addListener(new EagerHtml5(hub, executor, wanted, this::startPinned));
    }

    /** Starts (or keeps) the job of {@code output} and pins it to its source's life. */
    private void startPinned(StreamKey output) {
        try {
            if (demand(output)) {
                TranscodeJob job = job(output);
                if (job != null) {
                    job.pin();
                    log.info("{}: started at publish time (transcode.html5-eager)", output);
                }
            }
        } catch (TranscodeRefusal r) {
            // demand() counted and logged it; the first viewer will be told the same
        }
    }

    /** The hub asks for a key nobody publishes; on that viewer's event loop. */
    private boolean demand(StreamKey key) {
        if (closed) {
            return false;
        }
        Request request = Request.parse(key).orElse(null);
        if (request == null) {
            return false;
        }
        Stream source = hub.find(request.source()).orElse(null);
        if (source == null || !source.isLive()) {
            return false; // not a variant of a live stream: the hub says "not live"
        }
        try {
            synchronized (jobs) {
                if (jobs.containsKey(key)) {
                    return true; // starting, and its output not published yet
                }
                TranscodeTemplate template = null;
                if (request.kind() == Request.Kind.TEMPLATE) {
                    template = catalog.find(request.source(), request.templateId()).orElseThrow(() ->
                            new TranscodeRefusal("unknown transcoding template '" + request.templateId() + "'"));
                }
                FfmpegCommand.plan(request, template, SourceInfo.of(source), cfg, ffmpeg); // refuses early
                if (jobs.size() >= cfg.maxJobs()) {
                    throw new TranscodeRefusal("transcoding capacity reached: " + jobs.size() + " of "
                            + cfg.maxJobs() + " jobs are running on this server");
                }
                TranscodeJob job = new TranscodeJob(request, template, hub, cfg, ffmpeg, executor, timings, this::stopped);
                jobs.put(key, job);
                try {
                    job.start(source);
                } catch (HubException e) {
                    jobs.remove(key);
                    throw new TranscodeRefusal("stream " + request.source().path() + " cannot be transcoded: "
                            + e.getMessage());
                }
                started.incrementAndGet();
                // a job nobody ever watched (the viewer gave up before attaching) still stops
                long first = hub.config().onDemandStartTimeout().plus(cfg.idleTimeout()).toNanos();
                executor.schedule(job::idleCheck, first, TimeUnit.NANOSECONDS);
                return true;
            }
        } catch (TranscodeRefusal r) {
            refused.incrementAndGet();
            log.info("refused {}: {}", key, r.getMessage());
            throw r;
        }
    }

    private void stopped(TranscodeJob job) {
        synchronized (jobs) {
            jobs.remove(job.output(), job);
        }
        restartsOfStopped.addAndGet(job.stats().restarts());
    }

    private TranscodeJob job(StreamKey key) {
        synchronized (jobs) {
            return jobs.get(key);
        }
    }

    /** Kills every job and waits (a few seconds at most) for the processes to be gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<TranscodeJob> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        for (TranscodeJob j : all) {
            j.stop("server shutting down");
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            for (TranscodeJob j : all) {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!j.awaitTermination(Duration.ofNanos(left))) {
                    log.warn("{}: ffmpeg still ending after {} ms", j.output(), CLOSE_TIMEOUT.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Watches the outputs' viewers for the idle timeout. Quick, on the hub's threads. */
    private final class IdleWatch implements HubListener {

        @Override
        public void onPlay(Stream stream, String sessionId) {
            TranscodeJob job = job(stream.key());
            if (job != null) {
                executor.execute(job::viewerCame);
            }
        }

        @Override
        public void onStop(Stream stream, String sessionId) {
            TranscodeJob job = job(stream.key());
            if (job != null && stream.viewerCount() == 0) {
                executor.execute(job::idleCheck);
            }
        }

        @Override
        public void onStreamEnd(Stream stream, String reason) {
            TranscodeJob job = job(stream.key());
            if (job != null) {
                executor.execute(job::idleCheck);
            }
        }
    }
}
