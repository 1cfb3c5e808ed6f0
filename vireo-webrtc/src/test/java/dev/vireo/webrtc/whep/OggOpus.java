package dev.vireo.webrtc.whep;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opus packets out of an Ogg file (RFC 3533 pages and lacing, RFC 7845 Ogg Opus): the first
 * packet is the OpusHead, the second OpusTags, the rest are audio packets. For tests: ffmpeg
 * cannot put Opus in FLV, so an Opus stream is published from packets read here.
 */
record OggOpus(byte[] head, List<byte[]> packets) {

    static OggOpus read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<byte[]> all = new ArrayList<>();
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        int pos = 0;
        while (pos + 27 <= b.length) {
            if (!new String(b, pos, 4, StandardCharsets.US_ASCII).equals("OggS")) {
                throw new IOException("no Ogg page at offset " + pos);
            }
            int segments = b[pos + 26] & 0xff;
            int data = pos + 27 + segments;
            for (int i = 0; i < segments; i++) {
                int lace = b[pos + 27 + i] & 0xff;
                packet.write(b, data, lace);
                data += lace;
                // RFC 3533 §6: a lacing value below 255 ends the packet.
                if (lace < 255) {
                    all.add(packet.toByteArray());
                    packet.reset();
                }
            }
            pos = data;
        }
        if (all.size() < 3 || !new String(all.get(0), 0, 8, StandardCharsets.US_ASCII).equals("OpusHead")) {
            throw new IOException("not an Ogg Opus file");
        }
        return new OggOpus(all.get(0), List.copyOf(all.subList(2, all.size())));
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
