package dev.vireo.bench.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test clip, generated once with ffmpeg and cached: H.264 (constant-ish bitrate, GOP 2 s,
 * no B-frames) + AAC 64 kbps in FLV, from the {@code testsrc2} pattern and a sine tone.
 *
 * @param videoKbps target video bitrate
 * @param seconds   clip length (the publisher loops it)
 */
public record SourceFile(int videoKbps, int seconds) {

    static final int FPS = 30;
    static final int AUDIO_KBPS = 64;

    /** 360p up to 1 Mbps, 720p above: what a real encoder would pick for that bitrate. */
    String size() {
        return videoKbps <= 1000 ? "640x360" : "1280x720";
    }

    public String fileName() {
        return "src-" + videoKbps + "k-" + size() + "-" + FPS + "fps-" + seconds + "s.flv";
    }

    /** The ffmpeg command that writes the clip to {@code out}. */
    List<String> ffmpegCommand(String ffmpeg, Path out) {
        String kbps = videoKbps + "k";
        return List.of(ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + size() + ":rate=" + FPS,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
                "-b:v", kbps, "-maxrate", kbps, "-bufsize", kbps,
                "-g", Integer.toString(2 * FPS), "-keyint_min", Integer.toString(2 * FPS), "-sc_threshold", "0", "-bf", "0",
                "-c:a", "aac", "-b:a", AUDIO_KBPS + "k", "-ac", "2",
                "-f", "flv", out.toString());
    }

    /**
     * 20 ms stereo Opus packets of the same tone at the same bitrate, in Ogg, cached under
     * {@code dir} ({@link SourceClip#withOpusAudio}).
     */
    Path ensureOpus(Path dir, String ffmpeg) throws IOException, InterruptedException {
        return generate(dir, "tone-opus-" + AUDIO_KBPS + "k-" + seconds + "s.ogg", out -> List.of(ffmpeg, "-hide_banner",
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds), "-ac", "2", "-c:a", "libopus", "-b:a", AUDIO_KBPS + "k",
                "-frame_duration", "20", "-f", "ogg", out.toString()));
    }

    /**
     * The clip with its AAC replaced by the Opus of {@link #ensureOpus} (what WebRTC carries), both
     * cached under {@code dir}.
     */
    public SourceClip loadWithOpus(Path dir, String ffmpeg) throws IOException, InterruptedException {
        return SourceClip.load(ensure(dir, ffmpeg)).withOpusAudio(
                dev.vireo.media.opus.OggOpusFile.parse(java.nio.file.Files.readAllBytes(ensureOpus(dir, ffmpeg))));
    }

    /** The cached clip under {@code dir}, generating it first when absent. */
    public Path ensure(Path dir, String ffmpeg) throws IOException, InterruptedException {
        return generate(dir, fileName(), out -> ffmpegCommand(ffmpeg, out));
    }

    private static Path generate(Path dir, String name, java.util.function.Function<Path, List<String>> command)
            throws IOException, InterruptedException {
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file) && Files.size(file) > 0) {
            return file;
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(name + ".part");
        Process p = new ProcessBuilder(command.apply(partial)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("ffmpeg failed to generate " + file + ": " + out.strip());
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
