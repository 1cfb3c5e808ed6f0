package dev.vireo.server;

import dev.vireo.transcode.TranscodeJobStats;

/**
 * The {@code transcode} section of a transcoded stream in {@code GET /api/v1/streams}: the job
 * that produces it, as {@link TranscodeJobStats} has it, flattened to JSON-friendly values.
 *
 * @param kind "template", "html5" (browser variant) or "aac"
 * @param template the template id of a "template" job, else null
 * @param source the transcoded stream ("vhost/app/stream")
 * @param state STARTING, RUNNING, RESTARTING or STOPPED
 * @param ffmpegPid the running ffmpeg's process id, -1 between processes
 * @param ffmpegRunning whether an ffmpeg process is running now
 * @param addedLatencyVideoP50Millis added latency percentiles over the last 1024 frames
 *     (publication time minus arrival of the matching source frame); 0 without samples
 */
record TranscodeJobView(String kind, String template, String source, String state, String command, long ffmpegPid,
                        boolean ffmpegRunning, String startedAt, long uptimeMillis, int restarts, long startupMillis,
                        double fps, double speed, double addedLatencyVideoP50Millis, double addedLatencyVideoP99Millis,
                        double addedLatencyAudioP50Millis, double addedLatencyAudioP99Millis, long framesIn,
                        long framesOut, long framesDropped, int viewers, String lastError) {

    static TranscodeJobView of(TranscodeJobStats s) {
        String kind = s.kind();
        String template = null;
        if (kind.startsWith("template ")) {
            template = kind.substring("template ".length());
            kind = "template";
        }
        return new TranscodeJobView(kind, template, s.source().toString(), s.state(), s.command(), s.pid(),
                s.pid() >= 0 && s.state().equals("RUNNING"), s.startedAt().toString(), s.uptime().toMillis(),
                s.restarts(), s.startupMillis(), s.fps(), s.speed(), s.videoLatency().p50Millis(),
                s.videoLatency().p99Millis(), s.audioLatency().p50Millis(), s.audioLatency().p99Millis(),
                s.framesIn(), s.framesOut(), s.framesDropped(), s.viewers(), s.lastError());
    }
}
