package dev.vireo.webrtc.whep;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.flv.FlvFrames;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real encoder as the source of a test stream: ffmpeg writes FLV to its stdout, and each tag
 * becomes a {@link MediaFrame} handed to {@code sink} (which owns it), as an RTMP publisher's
 * would. Keeps WHEP tests independent of the RTMP module.
 */
final class FfmpegFlvSource implements AutoCloseable {

    private final Process process;
    private final Thread reader;

    private FfmpegFlvSource(List<String> command, Path workDir, Consumer<MediaFrame> sink) throws IOException {
        process = new ProcessBuilder(command).redirectError(workDir.resolve("ffmpeg-" + System.nanoTime() + ".log")
                .toFile()).start();
        reader = Thread.ofPlatform().name("ffmpeg-flv-reader").daemon().start(() -> read(process.getInputStream(), sink));
    }

    /** 640x360 at 30 fps H.264 without B-frames, a keyframe every second, for {@code seconds}. */
    static FfmpegFlvSource testPattern(Path workDir, int seconds, Consumer<MediaFrame> sink) throws IOException {
        return new FfmpegFlvSource(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-c:v", "libx264", "-preset", "ultrafast",
                "-bf", "0", "-tune", "zerolatency", "-g", "30", "-an", "-t", String.valueOf(seconds), "-f", "flv", "-"),
                workDir, sink);
    }

    /** The same pattern at 320x180 and {@code kbps} (a lower rendition of it), for {@code seconds}. */
    static FfmpegFlvSource lowTestPattern(Path workDir, int seconds, int kbps, Consumer<MediaFrame> sink)
            throws IOException {
        return new FfmpegFlvSource(List.of(Peers.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-c:v", "libx264", "-preset", "ultrafast",
                "-bf", "0", "-tune", "zerolatency", "-g", "30", "-b:v", kbps + "k", "-maxrate", kbps + "k",
                "-bufsize", kbps / 2 + "k", "-an", "-t", String.valueOf(seconds), "-f", "flv", "-"), workDir, sink);
    }

    private void read(InputStream in, Consumer<MediaFrame> sink) {
        FlvReader flv = new FlvReader();
        ByteBuf pending = Unpooled.buffer(1 << 16);
        byte[] chunk = new byte[1 << 16];
        try (in) {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                pending.writeBytes(chunk, 0, n);
                for (FlvTag tag = flv.next(pending); tag != null; tag = flv.next(pending)) {
                    // Copy the body so frames do not pin the read buffer, which is compacted below.
                    ByteBuf body = Unpooled.copiedBuffer(tag.body());
                    tag.release();
                    try {
                        MediaFrame f = switch (tag.type()) {
                            case FlvTag.VIDEO -> FlvFrames.fromVideoBody(body, tag.timestamp());
                            case FlvTag.AUDIO -> FlvFrames.fromAudioBody(body, tag.timestamp());
                            default -> null;
                        };
                        if (f != null) {
                            sink.accept(f);
                        }
                    } finally {
                        body.release();
                    }
                }
                pending.discardReadBytes();
            }
        } catch (IOException e) {
            // ffmpeg ended or was stopped: the stream just ends.
        } finally {
            pending.release();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs ffmpeg to completion with the given arguments (after the binary), for fixtures. */
    static void run(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Peers.ffmpeg());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("ffmpeg-fixture.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("ffmpeg failed: " + String.join(" ", cmd));
        }
    }
}
