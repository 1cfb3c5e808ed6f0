package dev.vireo.transcode;

import dev.vireo.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small media files made with ffmpeg at test time. */
final class TestMedia {

    private TestMedia() {
    }

    /**
     * H.264 + AAC (44.1 kHz stereo) FLV of a moving test pattern with a tone.
     *
     * @param bFrames 0 for none, else the number of consecutive B-frames
     * @param gopFrames frames per GOP
     */
    static Path h264Aac(Path dir, String name, int width, int height, int fps, int seconds, int bFrames, int gopFrames)
            throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".flv");
        if (Files.exists(out)) {
            return out;
        }
        run(List.of(Peers.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String.valueOf(seconds), "-ac", "2",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", String.valueOf(bFrames), "-g", String.valueOf(gopFrames),
                "-keyint_min", String.valueOf(gopFrames), "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-b:v", "600k",
                "-c:a", "aac", "-b:a", "96k", out.toString()));
        return out;
    }

    /** H.264 (no B-frames) + Opus 48 kHz stereo in MPEG-TS, as a WHIP publisher would send. */
    static Path h264Opus(Path dir, String name, int width, int height, int fps, int seconds)
            throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".ts");
        if (Files.exists(out)) {
            return out;
        }
        run(List.of(Peers.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", String.valueOf(seconds), "-ac", "2",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", String.valueOf(fps), "-pix_fmt", "yuv420p",
                "-c:a", "libopus", "-b:a", "64k", "-pes_payload_size", "0", "-f", "mpegts", out.toString()));
        return out;
    }

    /** H.265 + AAC in MPEG-TS, as an encoder would send over SRT or enhanced RTMP. */
    static Path h265Aac(Path dir, String name, int width, int height, int fps, int seconds)
            throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".ts");
        if (Files.exists(out)) {
            return out;
        }
        run(List.of(Peers.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String.valueOf(seconds), "-ac", "2",
                "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=" + fps,
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", out.toString()));
        return out;
    }

    /** H.265 with B-frames + Opus 48 kHz stereo in MPEG-TS, as an SRT encoder might send. */
    static Path h265Opus(Path dir, String name, int width, int height, int fps, int seconds)
            throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".ts");
        if (Files.exists(out)) {
            return out;
        }
        run(List.of(Peers.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", String.valueOf(seconds), "-ac", "2",
                "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=" + fps + ":bframes=2",
                "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "64k", "-pes_payload_size", "0", "-f", "mpegts",
                out.toString()));
        return out;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("ffmpeg failed: " + command + "\n" + output);
        }
    }
}
