package dev.vireo.transcode;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.transcode.ffmpeg.FfmpegProcess;
import dev.vireo.transcode.pipe.InputQueue;
import dev.vireo.transcode.pipe.PipeInput;
import dev.vireo.transcode.pipe.SourceConfigs;
import dev.vireo.transcode.pipe.TimeBase;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds ffmpeg's stdin: one job's queued source frames, through {@link PipeInput}, on the writer
 * thread of each process. A process starts with the source's current configuration, then media
 * from the latest resume point (a video keyframe). When the plan has the video go past ffmpeg
 * ({@link FfmpegCommand.Plan#bypassesVideo()}), the video frames (and their configuration) are
 * handed to the job's output as they come instead, in the same order and from the same resume
 * point, and ffmpeg gets the audio alone. It ends the process on purpose
 * ({@link FfmpegProcess#markPlanned()}) when the source's parameters change, when a browser
 * variant that copies video finds B-frames after all, or when video that goes past ffmpeg comes in
 * a codec the plan does not pass (a browser variant's H.264 that is H.265 now): a fresh ffmpeg is
 * more reliable than a mid-stream switch. Every frame's way is one decision, {@link #route}.
 */
final class InputWriter {

    private static final Logger log = LoggerFactory.getLogger(InputWriter.class);

    private final StreamHub hub;
    private final Request request;
    private final InputQueue queue;
    private final SourceConfigs configs;
    private final TimeBase time;
    private final JobMeters meters;
    private final String prefix;
    private final BooleanSupplier stopped;
    private final BooleanSupplier sourceHasVideo;
    /** Where frames that go past ffmpeg are published; takes ownership of each. */
    private final Consumer<MediaFrame> pastFfmpeg;
    /**
     * The video codecs of the plan whose video past ffmpeg has been handed on without a break up to
     * the head of the queue, null when it has not (see {@link #videoContinues}). Set when a
     * process's writer ends and by {@link #bridge}; read by the supervisor and the next writer,
     * which start after (the supervisor joins the writer thread first).
     */
    private volatile Set<Codec> flowingPast;

    InputWriter(StreamHub hub, Request request, InputQueue queue, SourceConfigs configs, TimeBase time,
                JobMeters meters, String prefix, BooleanSupplier stopped, BooleanSupplier sourceHasVideo,
                Consumer<MediaFrame> pastFfmpeg) {
        this.hub = hub;
        this.request = request;
        this.queue = queue;
        this.configs = configs;
        this.time = time;
        this.meters = meters;
        this.prefix = prefix;
        this.stopped = stopped;
        this.sourceHasVideo = sourceHasVideo;
        this.pastFfmpeg = pastFfmpeg;
    }

    /**
     * Whether a process with {@code plan} takes the video on where the last one (or the
     * {@link #bridge} after it) left it: its video went past ffmpeg without a break, and goes past
     * this plan's ffmpeg the same way. Then no resume point is needed: the video goes on frame by
     * frame, ffmpeg gets the audio from then on, and viewers need no keyframe.
     */
    boolean videoContinues(FfmpegCommand.Plan plan) {
        return plan.bypassesVideo() && plan.videoPastFfmpeg().equals(flowingPast);
    }

    /** Writer thread of one process: queued frames to ffmpeg's stdin until the process ends. */
    void run(FfmpegProcess p, FfmpegCommand.Plan plan) {
        Stream source = hub.find(request.source()).orElse(null);
        SourceInfo src = source == null ? null : SourceInfo.of(source);
        boolean video = sourceHasVideo.getAsBoolean();
        boolean continues = videoContinues(plan);
        flowingPast = null;
        boolean needResume = !continues;
        boolean videoBroke = false;
        boolean bypass = plan.bypassesVideo();
        // a browser variant that copies video must not pass B-frames, should they appear only now
        boolean watchReordering = request.kind() == Request.Kind.HTML5 && plan.keepsSourceVideo();
        long maxVideoPts = Long.MIN_VALUE;
        int unwritable = 0;
        boolean unflushed = false;
        SourceConfigs.Written written = new SourceConfigs.Written();
        try (OutputStream out = new BufferedOutputStream(p.process().getOutputStream(), 64 * 1024)) {
            if (src == null) {
                return;
            }
            PipeInput pipe = PipeInput.of(plan.input(), src.hasVideo() && !bypass ? src.video() : null, src.audio());
            pipe.start(out);
            List<MediaFrame> current = configs.current();
            try {
                for (MediaFrame f : current) {
                    switch (route(f, plan, source)) {
                        case RESTART -> {
                            p.markPlanned();
                            videoBroke = true;
                            return;
                        }
                        case DROP -> { }
                        case PAST_FFMPEG -> passBy(f);
                        case TO_FFMPEG -> {
                            written.note(f);
                            pipe.write(f, time.config(f.dts()), out);
                        }
                    }
                }
            } finally {
                current.forEach(MediaFrame::release); // all of them, also when a write failed
            }
            out.flush();
            if (!continues) {
                queue.skipToLatestResumePoint(video);
            }
            while (!stopped.getAsBoolean()) {
                InputQueue.Entry e = queue.poll(1000);
                if (e == null) {
                    if (!p.isAlive()) {
                        return;
                    }
                    continue;
                }
                MediaFrame f = e.frame();
                try {
                    boolean config = f.isConfig() || f.isData();
                    if (config) {
                        configs.remember(f); // also for the next process, should this one end here
                    }
                    Route route = route(f, plan, source);
                    if (route == Route.RESTART) {
                        p.markPlanned();
                        videoBroke = true;
                        return;
                    }
                    if (route == Route.DROP) {
                        continue;
                    }
                    if (config) {
                        if (route == Route.PAST_FFMPEG) {
                            passBy(f); // a new video configuration needs no new ffmpeg: it never sees video
                        } else if (written.changes(f)) {
                            // new parameters (a republish with another resolution or codec setup): a
                            // fresh ffmpeg is more reliable than a mid-stream switch, especially with copy
                            p.markPlanned();
                            return;
                        } else {
                            written.note(f);
                            pipe.write(f, time.config(f.dts()), out);
                            unflushed = true;
                        }
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
                                videoBroke = true;
                                return;
                            }
                            maxVideoPts = f.pts();
                        }
                        if (route == Route.PAST_FFMPEG) {
                            passBy(f);
                        } else {
                            pipe.write(f, time.media(f.dts()), out);
                            unflushed = true;
                        }
                        meters.frameIn();
                    }
                    // with the video past ffmpeg after every frame (ffmpeg only gets audio, and it should
                    // not wait in the buffer while video is handed on), else once the queue is empty
                    if (unflushed && (bypass || queue.isEmpty())) {
                        out.flush();
                        unflushed = false;
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
            if (!stopped.getAsBoolean() && p.isAlive()) {
                log.debug("{} writing to ffmpeg failed: {}", prefix, e.getMessage());
            }
        } finally {
            if (p.planned()) {
                log.debug("{} closed ffmpeg's stdin to restart it", prefix);
            }
            // the video went past ffmpeg from a keyframe to the head of the queue: the next process
            // (or the bridge to it) can take it on from there
            flowingPast = bypass && !needResume && !videoBroke && src != null ? plan.videoPastFfmpeg() : null;
        }
    }

    /**
     * Between two processes, on the supervisor thread, for up to {@code millis} (the restart
     * backoff): while there is no ffmpeg to give the audio to, the video that went past the last
     * one keeps going past as it comes ({@link #route} as under {@code plan}, the plan of the
     * process that ended), and the audio is left out (the next process starts with the audio of
     * its time: audio has no resume point to wait for, and the job's {@link TimeBase} is the same,
     * so it is in sync with the video as before). Only when the video was flowing
     * ({@link #videoContinues}); ends early, and the next process resumes at a keyframe as after
     * any restart, when the video needs a fresh plan (another codec, B-frames for a browser). Runs
     * on the supervisor's (virtual) thread, for the backoff only: the writer threads are the
     * processes' own.
     *
     * @return the milliseconds of {@code millis} left when it ended early, else 0
     */
    long bridge(FfmpegCommand.Plan plan, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        Stream source = hub.find(request.source()).orElse(null);
        if (!videoContinues(plan) || source == null) {
            flowingPast = null;
            return millis;
        }
        boolean watchReordering = request.kind() == Request.Kind.HTML5;
        long maxVideoPts = Long.MIN_VALUE;
        for (long left = millis; left > 0 && !stopped.getAsBoolean();
                left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
            InputQueue.Entry e = queue.poll(left);
            if (e == null) {
                continue;
            }
            MediaFrame f = e.frame();
            try {
                if (f.isConfig() || f.isData()) {
                    configs.remember(f);
                }
                Route route = route(f, plan, source);
                boolean reordered = watchReordering && route == Route.PAST_FFMPEG && !f.isConfig() && f.pts() < maxVideoPts;
                if (route == Route.RESTART || reordered) {
                    flowingPast = null;
                    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                }
                if (route == Route.PAST_FFMPEG) {
                    if (!f.isConfig()) {
                        maxVideoPts = f.pts();
                        meters.frameIn();
                    }
                    passBy(f);
                }
            } finally {
                f.release();
            }
        }
        return 0;
    }

    /** Where one frame goes ({@link #route}). */
    private enum Route {
        /** Ends this process on purpose: the frame needs a fresh plan ({@link #restartsFor}). */
        RESTART,
        /** Left out: it goes neither to ffmpeg nor past it. */
        DROP,
        /** Handed to the output as it is ({@link #passBy}). */
        PAST_FFMPEG,
        /** Written to ffmpeg's stdin. */
        TO_FFMPEG
    }

    /**
     * The route of a frame, the one decision for configurations at start-up, new configurations
     * and media. Without the video past ffmpeg everything goes to ffmpeg. With it, video (and its
     * configuration) goes past ffmpeg when {@link #takenAsIs}, else restarts ffmpeg or is left out
     * ({@link #restartsFor}); the source's metadata describes the source's audio, which ffmpeg
     * replaces, so it is left out; audio goes to ffmpeg.
     */
    private Route route(MediaFrame f, FfmpegCommand.Plan plan, Stream source) {
        if (!plan.bypassesVideo()) {
            return Route.TO_FFMPEG;
        }
        if (!takenAsIs(f, plan)) {
            return restartsFor(f, plan, source) ? Route.RESTART : Route.DROP;
        }
        if (f.isData()) {
            return Route.DROP;
        }
        return f.isVideo() ? Route.PAST_FFMPEG : Route.TO_FFMPEG;
    }

    /**
     * Whether a frame fits a plan that has the video go past ffmpeg: anything but video of a codec
     * the plan does not pass as it is ({@link FfmpegCommand.Plan#passesPast}: a browser variant
     * passes H.264 only, H.265 is re-encoded; the AAC variant passes any video). A source that
     * returns within the hub's reconnect grace in another codec (H.265 over SRT after H.264 over
     * RTMP) keeps the job's subscription; its video needs a fresh plan, which re-encodes it for
     * browsers, and must not reach them as it is meanwhile.
     */
    private static boolean takenAsIs(MediaFrame f, FfmpegCommand.Plan plan) {
        return !f.isVideo() || plan.passesPast(f.codec());
    }

    /**
     * For video {@link #takenAsIs} refuses: true when ffmpeg restarts with a fresh plan, false when
     * the frame is left out because the source is back in a codec the plan passes (the queue lags
     * the hub: the frame is stale, the source's new configuration is queued after it, and a plan
     * made now would pass the video by again, so a restart would only come back here).
     */
    private boolean restartsFor(MediaFrame f, FfmpegCommand.Plan plan, Stream source) {
        Codec now = source.videoCodec();
        if (now != null && plan.passesPast(now)) {
            return false;
        }
        log.info("{} the source's video is {} now; ffmpeg restarted to transcode it", prefix, f.codec());
        return true;
    }

    /** A video frame that goes past ffmpeg: to the output as it is (the source's frame itself, shared with its viewers). */
    private void passBy(MediaFrame f) {
        pastFfmpeg.accept(f.retain());
    }
}
