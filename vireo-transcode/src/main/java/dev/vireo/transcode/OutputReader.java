package dev.vireo.transcode;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.MediaFormatException;
import dev.vireo.transcode.ffmpeg.FfmpegProcess;
import dev.vireo.transcode.pipe.PipeFormat;
import dev.vireo.transcode.pipe.PipeOutput;
import dev.vireo.transcode.pipe.TimeBase;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ffmpeg's stdout on the reader thread of each process and hands the frames that
 * {@link PipeOutput} demuxes from it, on the source's time line, to the job's publisher. Output
 * ffmpeg should not write kills the process (the supervisor restarts it).
 */
final class OutputReader {

    private static final Logger log = LoggerFactory.getLogger(OutputReader.class);

    private final TimeBase time;
    private final Consumer<MediaFrame> sink;
    private final JobMeters meters;
    private final String prefix;

    OutputReader(TimeBase time, Consumer<MediaFrame> sink, JobMeters meters, String prefix) {
        this.time = time;
        this.sink = sink;
        this.meters = meters;
        this.prefix = prefix;
    }

    /** Reader thread of one process: ffmpeg's stdout to the hub until end of stream. */
    void run(FfmpegProcess p, PipeFormat format) {
        byte[] buf = new byte[64 * 1024];
        PipeOutput out = null;
        try (InputStream in = p.process().getInputStream()) {
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                if (out == null) {
                    out = PipeOutput.of(format, time, sink, log, prefix);
                }
                out.feed(buf, n);
            }
        } catch (IOException e) {
            log.debug("{} reading from ffmpeg ended: {}", prefix, e.getMessage());
        } catch (MediaFormatException e) {
            meters.lastError = "unreadable ffmpeg output: " + e.getMessage();
            log.warn("{} {}", prefix, meters.lastError);
            p.kill();
        } finally {
            if (out != null) {
                out.close();
            }
        }
    }
}
