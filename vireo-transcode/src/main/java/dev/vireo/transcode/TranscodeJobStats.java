package dev.vireo.transcode;

import dev.vireo.core.StreamKey;
import dev.vireo.transcode.meter.Latency;
import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one transcoding job, for the API, metrics and troubleshooting.
 *
 * @param output the key the job publishes ({@code demo_lhd}, {@code demo@html5}, {@code demo@aac})
 * @param source the stream it transcodes
 * @param kind "template lhd", "html5" or "aac"
 * @param state STARTING, RUNNING, RESTARTING or STOPPED
 * @param command what ffmpeg does, in one line ("libx264 scale=-2:720 2000k / aac 128k (flv -> flv)")
 * @param pid the running ffmpeg's process id, or -1 between processes
 * @param startedAt when the job started
 * @param uptime since the job started (across restarts)
 * @param restarts ffmpeg processes restarted after a crash
 * @param startupMillis from the job's start to its first published frame, -1 before that
 * @param fps video frames per second published, over the last measurement window
 * @param speed media time published per wall-clock time over the window (1.0 = real time)
 * @param videoLatency added latency of video frames
 * @param audioLatency added latency of audio frames
 * @param framesIn frames written to ffmpeg
 * @param framesOut frames published
 * @param framesDropped input frames dropped because ffmpeg fell behind or was restarting
 * @param viewers viewers of the output now
 * @param lastError the last failure (exit code and ffmpeg's last words), or null
 */
public record TranscodeJobStats(StreamKey output, StreamKey source, String kind, String state, String command,
                                long pid, Instant startedAt, Duration uptime, int restarts, long startupMillis,
                                double fps, double speed, Latency videoLatency, Latency audioLatency,
                                long framesIn, long framesOut, long framesDropped, int viewers, String lastError) {
}
