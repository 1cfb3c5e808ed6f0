package dev.vireo.webrtc.whep;

import dev.vireo.media.opus.OggOpusFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** An Opus tone for tests: made by ffmpeg into Ogg, read by {@link OggOpusFile}. */
record OggOpus(byte[] head, List<byte[]> packets) {

    static OggOpus read(Path file) throws IOException {
        OggOpusFile f = OggOpusFile.parse(Files.readAllBytes(file));
        return new OggOpus(f.head(), f.packets());
    }

    /** A 440 Hz tone, stereo, 20 ms packets, made by ffmpeg/libopus. */
    static OggOpus tone(Path workDir, int seconds) throws IOException, InterruptedException {
        Path out = workDir.resolve("tone.ogg");
        FfmpegFlvSource.run(workDir, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000:duration=" + seconds, "-ac", "2", "-c:a", "libopus",
                "-b:a", "64k", "-frame_duration", "20", "-f", "ogg", "-y", out.toString());
        return read(out);
    }

    @Override
    public String toString() {
        return "OggOpus[" + packets.size() + " packets, head " + Arrays.toString(Arrays.copyOf(head, 8)) + "]";
    }
}
