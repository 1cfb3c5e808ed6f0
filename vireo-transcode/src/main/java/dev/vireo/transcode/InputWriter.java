package dev.vireo.transcode;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.media.MediaFormatException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds ffmpeg's stdin: one job's queued source frames, through {@link PipeInput}, on the writer
 * thread of each process. A process starts with the source's current configuration, then media
 * from the latest resume point (a video keyframe). It ends the process on purpose
 * ({@link FfmpegProcess#markPlanned()}) when the source's parameters change, or when a browser
 * variant that copies video finds B-frames after all: a fresh ffmpeg is more reliable than a
 * mid-stream switch.
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

    InputWriter(StreamHub hub, Request request, InputQueue queue, SourceConfigs configs, TimeBase time,
                JobMeters meters, String prefix, BooleanSupplier stopped, BooleanSupplier sourceHasVideo) {
        this.hub = hub;
        this.request = request;
        this.queue = queue;
        this.configs = configs;
        this.time = time;
        this.meters = meters;
        this.prefix = prefix;
        this.stopped = stopped;
        this.sourceHasVideo = sourceHasVideo;
    }

    /** Writer thread of one process: queued frames to ffmpeg's stdin until the process ends. */
    void run(FfmpegProcess p) {
        Stream source = hub.find(request.source()).orElse(null);
        SourceInfo src = source == null ? null : SourceInfo.of(source);
        boolean video = sourceHasVideo.getAsBoolean();
        boolean needResume = true;
        // a browser variant that copies video must not pass B-frames, should they appear only now
        boolean watchReordering = request.kind() == Request.Kind.HTML5 && p.plan.copiesVideo();
        long maxVideoPts = Long.MIN_VALUE;
        int unwritable = 0;
        SourceConfigs.Written written = new SourceConfigs.Written();
        try (OutputStream out = new BufferedOutputStream(p.process().getOutputStream(), 64 * 1024)) {
            if (src == null) {
                return;
            }
            PipeInput pipe = PipeInput.of(p.plan.input(), src);
            pipe.start(out);
            List<MediaFrame> current = configs.current();
            try {
                for (MediaFrame f : current) {
                    written.note(f);
                    pipe.write(f, time.config(f.dts()), out);
                }
            } finally {
                current.forEach(MediaFrame::release); // all of them, also when a write failed
            }
            out.flush();
            queue.skipToLatestResumePoint(video);
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
                    if (f.isConfig() || f.isData()) {
                        configs.remember(f);
                        if (written.changes(f)) {
                            // new parameters (a republish with another resolution or codec setup): a
                            // fresh ffmpeg is more reliable than a mid-stream switch, especially with copy
                            p.markPlanned();
                            return;
                        }
                        written.note(f);
                        pipe.write(f, time.config(f.dts()), out);
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
                        pipe.write(f, time.media(f.dts()), out);
                        meters.frameIn();
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
            if (!stopped.getAsBoolean() && p.isAlive()) {
                log.debug("{} writing to ffmpeg failed: {}", prefix, e.getMessage());
            }
        } finally {
            if (p.planned()) {
                log.debug("{} closed ffmpeg's stdin to restart it", prefix);
            }
        }
    }
}
