package dev.vireo.transcode;

import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.transcode.ffmpeg.FfmpegInstall;
import dev.vireo.transcode.ffmpeg.FfmpegProcess;
import dev.vireo.transcode.ffmpeg.RestartPolicy;
import dev.vireo.transcode.pipe.SourceConfigs;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one job's ffmpeg processes, on the job's supervisor thread: plans the command from
 * the source as it is now, starts the process with its pipe threads ({@link InputWriter},
 * {@link OutputReader}), waits for it to end and starts the next one — at once after a planned
 * restart, after {@link RestartPolicy}'s backoff after a crash (during which video that goes past
 * ffmpeg keeps going, {@link InputWriter#bridge}) — while viewers stay attached. The
 * job ends when the source is gone, ffmpeg refuses the source, or it keeps failing; when the job
 * stops, {@link #jobStopped()} kills the running process.
 */
final class FfmpegSupervisor {

    private static final Logger log = LoggerFactory.getLogger(FfmpegSupervisor.class);

    private final TranscodeJob job;
    private final StreamHub hub;
    private final TranscodeConfig cfg;
    private final FfmpegInstall ffmpeg;
    private final JobMeters meters;
    private final InputWriter writer;
    private final OutputReader reader;
    private final OutputPublisher publisher;
    private final SourceConfigs configs;
    private final RestartPolicy restarts;
    private final CountDownLatch stoppedLatch = new CountDownLatch(1);
    private volatile FfmpegProcess current;

    FfmpegSupervisor(TranscodeJob job, StreamHub hub, TranscodeConfig cfg, FfmpegInstall ffmpeg, JobMeters meters,
                     InputWriter writer, OutputReader reader, OutputPublisher publisher, SourceConfigs configs) {
        this.job = job;
        this.hub = hub;
        this.cfg = cfg;
        this.ffmpeg = ffmpeg;
        this.meters = meters;
        this.writer = writer;
        this.reader = reader;
        this.publisher = publisher;
        this.configs = configs;
        this.restarts = new RestartPolicy(cfg.restartBackoff(), cfg.maxRestartBackoff());
    }

    /** The running process's id, -1 between processes. */
    long pid() {
        FfmpegProcess p = current;
        return p == null ? -1 : p.pid();
    }

    /** The job stopped: wakes a backoff, kills the running process. Any thread, does not block. */
    void jobStopped() {
        stoppedLatch.countDown();
        FfmpegProcess p = current;
        if (p != null) {
            // killing waits for the process: not on the caller's (possibly event loop) thread
            Thread.ofVirtual().name(job.id + "-kill").start(p::kill);
        }
    }

    /** The supervisor thread's work, until the job stops. */
    void run() {
        Request request = job.request;
        String prefix = job.prefix;
        boolean first = true;
        try {
            while (!job.isStopped()) {
                Stream source = hub.find(request.source()).orElse(null);
                if (source == null) {
                    job.stop("source stream " + request.source().path() + " is gone");
                    break;
                }
                FfmpegCommand.Plan plan;
                try {
                    plan = FfmpegCommand.plan(request, job.template(), SourceInfo.of(source), cfg, ffmpeg);
                } catch (TranscodeRefusal r) {
                    meters.lastError = r.getMessage();
                    job.stop(r.getMessage());
                    break;
                }
                meters.command = plan.summary();
                if (!first) {
                    // a new process after another: its video starts on a keyframe, unless the video
                    // past ffmpeg goes on without a break (InputWriter.videoContinues)
                    publisher.restarted(writer.videoContinues(plan));
                }
                first = false;
                FfmpegProcess p;
                try {
                    p = FfmpegProcess.start(plan.command(), job.id, log, prefix, proc -> writer.run(proc, plan),
                            proc -> reader.run(proc, plan.output()));
                } catch (IOException e) {
                    meters.lastError = "ffmpeg did not start: " + e.getMessage();
                    if (!backoff(plan, restarts.startFailed())) {
                        job.stop("transcoding failed: " + meters.lastError);
                        break;
                    }
                    continue;
                }
                current = p;
                meters.state = JobMeters.State.RUNNING;
                if (job.isStopped()) { // stop() may have run before current was set
                    p.kill();
                }
                log.debug("{} ffmpeg pid {}: {}", prefix, p.pid(), String.join(" ", p.command()));
                int exit = p.awaitEnd();
                current = null;
                if (job.isStopped()) {
                    break;
                }
                if (p.planned()) {
                    log.info("{} source parameters changed; ffmpeg restarted", prefix);
                    restarts.planned();
                    continue;
                }
                meters.restarted();
                meters.lastError = exitReason(exit, p);
                long wait = restarts.ended(System.nanoTime() - p.startedNanos());
                if (wait == RestartPolicy.GIVE_UP) {
                    log.warn("{} {}; giving up after {} failures in a row", prefix, meters.lastError,
                            restarts.failuresBefore());
                    job.stop("transcoding failed: " + meters.lastError);
                    break;
                }
                log.warn("{} {}; restarting", prefix, meters.lastError);
                meters.state = JobMeters.State.RESTARTING;
                if (!backoff(plan, wait)) {
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
            meters.state = JobMeters.State.STOPPED;
        }
    }

    /** "ffmpeg exited with code 1: <its last words>", "ffmpeg was killed by signal 9". */
    private static String exitReason(int exit, FfmpegProcess p) {
        // only what ffmpeg said just before dying explains it; older lines are start-up chatter
        String last = p.lastStderrSince(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));
        String how = exit > 128 && exit < 160 ? "was killed by signal " + (exit - 128) : "exited with code " + exit;
        return "ffmpeg " + how + (last.isEmpty() ? "" : ": " + last);
    }

    /**
     * Waits {@code millis} before the next attempt; false when giving up or the job stopped
     * meanwhile. Video that went past the ended process's ffmpeg keeps going past meanwhile
     * ({@link InputWriter#bridge}): only the audio waits for the next ffmpeg.
     */
    private boolean backoff(FfmpegCommand.Plan ended, long millis) throws InterruptedException {
        if (millis == RestartPolicy.GIVE_UP) {
            return false;
        }
        long left = writer.bridge(ended, millis);
        return !stoppedLatch.await(left, TimeUnit.MILLISECONDS) && !job.isStopped();
    }
}
