package dev.vireo.transcode;

import dev.vireo.media.Codec;
import dev.vireo.transcode.ffmpeg.FfmpegInstall;
import dev.vireo.transcode.html5.Html5Variant;
import dev.vireo.transcode.pipe.PipeFormat;
import dev.vireo.transcode.templates.TranscodeTemplate;
import dev.vireo.media.TrackType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ffmpeg command line of a job, planned from the request, the template and what the source
 * carries now — or the reason the job cannot run.
 *
 * <p>Every command reads a live container from stdin and writes one to stdout with
 * {@code -copyts}: the time stamps that come out are the ones that went in (the job shifts them
 * by a fixed base, see {@link dev.vireo.transcode.pipe.TimeBase}), so the output time line is the source's and audio
 * stays in sync with video. Latency switches: {@code -fflags nobuffer} and a small probe on the
 * input, {@code -tune zerolatency} (no lookahead, no B-frames) on x264, {@code -flush_packets 1}
 * and, for MPEG-TS, one PES per audio packet with the PES length set so that each packet can be
 * taken as soon as its last byte arrives.
 *
 * <p>A browser variant whose video needs no change (H.264 without B-frames) keeps its video out
 * of ffmpeg altogether ({@link Plan#bypassesVideo()}): copied through ffmpeg, each video frame
 * waited in its muxer until audio of a later time was out (interleaving, whatever
 * {@code -max_interleave_delta} says: with one packet queued there is no delta to exceed), and
 * its Opus is at a constant bitrate high enough that the MPEG-TS muxer writes every packet at
 * once (see {@link #HTML5_OPUS_CBR_KBPS}). docs/BENCHMARKS.md has the before and after. The AAC
 * variant's video always goes past ffmpeg, whatever its codec: its RTMP/FLV viewers play any
 * H.264 (B-frames too) and, over enhanced RTMP, H.265 and AV1; so they get the source's frames as
 * the publisher sent them, its SEI (the latency meter's stamps) included, without ffmpeg's delay.
 */
final class FfmpegCommand {

    /** Opus for browsers: 64 kb/s is transparent for speech and fine for music at 48 kHz stereo. */
    static final int HTML5_OPUS_KBPS = 64;
    /**
     * The browser variant's Opus at constant bitrate: 72 kb/s in 20 ms is 180 bytes a packet, above
     * the 170 bytes under which ffmpeg's MPEG-TS muxer holds an audio packet back until the next
     * one comes (mpegtsenc.c: {@code pes_payload_size} is rounded up to 170, and a smaller audio
     * packet is gathered with the next into one PES), which added 20 ms to about half the packets.
     */
    static final int HTML5_OPUS_CBR_KBPS = 72;
    static final int AAC_VARIANT_KBPS = 128;
    /** Bounds for re-encoding at the source's bitrate when it is not known yet or implausible. */
    static final int MIN_VIDEO_KBPS = 300;
    static final int MAX_VIDEO_KBPS = 8000;

    /**
     * What to run and how to talk to it.
     *
     * @param input the container written to ffmpeg's stdin
     * @param output the container read from its stdout
     * @param summary one line for logs and stats, e.g. "libx264 scale=-2:360 600k / aac 64k (flv -> flv)"
     * @param copiesVideo whether video passes through ffmpeg untouched ({@code -c:v copy})
     * @param videoPastFfmpeg the video codecs that do not go through ffmpeg at all, empty when all
     *     video does: the job publishes the source's own video frames in the output and ffmpeg gets
     *     and makes audio only (a browser variant whose H.264 needs no change, the AAC variant's
     *     video whatever it is; see {@link #plan}). Video of another codec (a source back within
     *     the reconnect grace in another one) needs a fresh plan.
     */
    record Plan(List<String> command, PipeFormat input, PipeFormat output, String summary, boolean copiesVideo,
                Set<Codec> videoPastFfmpeg) {

        Plan {
            videoPastFfmpeg = Set.copyOf(videoPastFfmpeg);
        }

        /** Whether the source's video does not go through ffmpeg: ffmpeg gets and makes audio only. */
        boolean bypassesVideo() {
            return !videoPastFfmpeg.isEmpty();
        }

        /** Whether video of {@code codec} goes past ffmpeg as it is under this plan. */
        boolean passesPast(Codec codec) {
            return videoPastFfmpeg.contains(codec);
        }

        /** Whether the source's video reaches the output unchanged, through ffmpeg or past it. */
        boolean keepsSourceVideo() {
            return copiesVideo || bypassesVideo();
        }
    }

    /** Every video codec: what the AAC variant passes past ffmpeg. */
    private static final Set<Codec> ALL_VIDEO = Arrays.stream(Codec.values())
            .filter(c -> c.track() == TrackType.VIDEO).collect(Collectors.toUnmodifiableSet());

    private FfmpegCommand() {
    }

    /** @throws TranscodeRefusal when the job cannot run, with the reason for the viewer */
    static Plan plan(Request request, TranscodeTemplate template, SourceInfo src, TranscodeConfig cfg,
                     FfmpegInstall ffmpeg) {
        if (!ffmpeg.usable()) {
            throw new TranscodeRefusal(ffmpeg.problem());
        }
        if (!src.hasVideo() && !src.hasAudio()) {
            throw new TranscodeRefusal("stream " + request.source().path() + " carries no media yet");
        }
        // the AAC variant's video never goes to ffmpeg (see below): only its audio must fit a pipe
        PipeFormat input = PipeFormat.carrying(request.kind() == Request.Kind.AAC ? null : src.video(), src.audio());
        if (input == null) {
            throw new TranscodeRefusal("stream " + request.source().path() + " (" + src.video() + " / " + src.audio()
                    + ") cannot be transcoded");
        }
        List<String> out = new ArrayList<>();
        Codec outVideo;
        Codec outAudio;
        Set<Codec> past = Set.of();
        String videoSummary;
        String audioSummary;
        switch (request.kind()) {
            case TEMPLATE -> {
                outVideo = src.hasVideo() ? (template.videoCodec().equals("h265") ? Codec.H265 : Codec.H264) : null;
                outAudio = src.hasAudio() ? (template.audioCodec().equals("opus") ? Codec.OPUS : Codec.AAC) : null;
                videoSummary = outVideo == null ? null : templateVideo(template, cfg, ffmpeg, out);
                audioSummary = outAudio == null ? null : audio(outAudio, template.audioBitrateKbps(), src, ffmpeg, out);
            }
            case HTML5 -> {
                boolean video = src.hasVideo() && (src.video() == Codec.H265 || src.bFrames());
                boolean audio = src.hasAudio() && src.audio() != Codec.OPUS;
                if (!video && !audio) {
                    throw new TranscodeRefusal("stream " + request.source().path()
                            + " plays in browsers as it is; it has no " + Html5Variant.SUFFIX + " variant");
                }
                // Video that needs no change goes past ffmpeg: the source's frames are published as
                // they come (no ffmpeg pipeline, and no muxer holding them until audio of the same
                // time is out), ffmpeg makes the audio alone (cfg.lowDelayHtml5(); see docs/BENCHMARKS.md)
                past = src.video() == Codec.H264 && !video && cfg.lowDelayHtml5() ? Set.of(Codec.H264) : Set.of();
                boolean bypass = !past.isEmpty();
                outVideo = src.hasVideo() && !bypass ? Codec.H264 : null;
                outAudio = src.hasAudio() ? Codec.OPUS : null;
                videoSummary = !src.hasVideo() ? null : video ? html5Video(src, cfg, ffmpeg, out)
                        : bypass ? pastFfmpeg(src.video()) : copy("v", src.video(), out);
                audioSummary = !src.hasAudio() ? null
                        : audio ? html5Audio(src, cfg, ffmpeg, out) : copy("a", src.audio(), out);
            }
            case AAC -> {
                if (src.audio() != Codec.OPUS) {
                    throw new TranscodeRefusal("stream " + request.source().path() + " has no Opus audio; it has no "
                            + AacVariant.SUFFIX + " variant");
                }
                // Video goes past ffmpeg as the publisher sent it, whatever it is: RTMP and FLV
                // players take it (B-frames, and H.265/AV1 over enhanced RTMP), and it keeps its SEI
                if (src.hasVideo()) {
                    past = ALL_VIDEO;
                }
                outVideo = null;
                outAudio = Codec.AAC;
                videoSummary = src.hasVideo() ? pastFfmpeg(src.video()) : null;
                audioSummary = audio(Codec.AAC, AAC_VARIANT_KBPS, src, ffmpeg, out);
            }
            default -> throw new IllegalStateException(request.kind().name());
        }
        boolean bypass = !past.isEmpty();
        if (bypass) {
            input = PipeFormat.carrying(null, src.audio());
        }
        PipeFormat output = PipeFormat.carrying(outVideo, outAudio);
        if (output == null) {
            throw new TranscodeRefusal("no pipe format carries " + outVideo + " / " + outAudio);
        }
        List<String> cmd = new ArrayList<>(List.of(ffmpeg.executable(), "-hide_banner", "-nostdin", "-nostats",
                "-loglevel", "warning",
                // a live pipe: no input buffering, and start as soon as both streams' headers are in
                "-fflags", "+nobuffer", "-probesize", "32768", "-analyzeduration", "500000",
                // frame-threaded decoding holds a frame per thread: one thread, no added delay
                "-threads", "1",
                "-f", input.ffmpegName(), "-i", "pipe:0", "-copyts"));
        if (src.hasVideo() && !bypass) {
            cmd.addAll(List.of("-map", "0:v:0"));
        }
        if (src.hasAudio()) {
            cmd.addAll(List.of("-map", "0:a:0"));
        }
        cmd.addAll(out);
        // write each packet as it is encoded: ordering between tracks is not needed downstream,
        // and interleaving would hold audio back until video of the same time is out
        cmd.addAll(List.of("-max_interleave_delta", "1", "-flush_packets", "1", "-f", output.ffmpegName()));
        if (output == PipeFormat.FLV) {
            cmd.addAll(List.of("-flvflags", "no_duration_filesize"));
        } else {
            cmd.addAll(List.of("-muxdelay", "0", "-muxpreload", "0", "-pes_payload_size", "0",
                    "-omit_video_pes_length", "0"));
        }
        cmd.add("pipe:1");
        String summary = join(videoSummary, audioSummary) + " (" + input.ffmpegName() + " -> " + output.ffmpegName() + ")";
        return new Plan(List.copyOf(cmd), input, output, summary,
                out.contains("-c:v") && out.get(out.indexOf("-c:v") + 1).equals("copy"), past);
    }

    private static String templateVideo(TranscodeTemplate t, TranscodeConfig cfg, FfmpegInstall ffmpeg, List<String> out) {
        boolean hevc = t.videoCodec().equals("h265");
        String encoder = hevc ? "libx265" : "libx264";
        refuseIfLacking(ffmpeg, encoder);
        List<String> filters = new ArrayList<>();
        String scale = scale(t);
        if (scale != null) {
            filters.add(scale);
        }
        if (t.fps() > 0) {
            filters.add("fps=" + t.fps());
        }
        out.addAll(List.of("-c:v", encoder, "-preset", cfg.x264Preset(), "-tune", "zerolatency", "-pix_fmt", "yuv420p"));
        if (!filters.isEmpty()) {
            out.addAll(List.of("-vf", String.join(",", filters)));
        }
        int kbps = t.videoBitrateKbps();
        out.addAll(List.of("-b:v", kbps + "k", "-maxrate", kbps + "k", "-bufsize", (2 * kbps) + "k"));
        keyframes(t.gopFrames(), hevc, out);
        return encoder + " " + (scale == null ? "source size" : scale) + " " + kbps + "k";
    }

    /** The scale filter of a template (see {@link TranscodeTemplate}), or null to keep the size. */
    static String scale(TranscodeTemplate t) {
        if (t.shortSide() > 0) {
            int s = t.shortSide();
            return "scale='if(gte(iw,ih),-2," + s + ")':'if(gte(iw,ih)," + s + ",-2)'";
        }
        if (t.height() > 0) {
            return "scale=-2:" + t.height();
        }
        if (t.width() > 0) {
            return "scale=" + t.width() + ":-2";
        }
        return null;
    }

    /**
     * Keyframes every {@code gopFrames}, or where the source has them (0): then the transcoded
     * stream's GOPs line up with the source's, and no scene-cut keyframes are added in between.
     */
    private static void keyframes(int gopFrames, boolean hevc, List<String> out) {
        if (gopFrames > 0) {
            out.addAll(List.of("-g", String.valueOf(gopFrames), "-keyint_min", String.valueOf(gopFrames)));
        } else {
            out.addAll(List.of("-force_key_frames", "source", "-g", "1000"));
        }
        if (hevc) {
            out.addAll(List.of("-x265-params", "log-level=error:scenecut=0"));
        } else {
            out.addAll(List.of("-sc_threshold", "0"));
        }
        // keep the input's millisecond time base: the encoder must neither round nor drop frames
        out.addAll(List.of("-enc_time_base:v", "-1"));
    }

    /**
     * H.264 without B-frames for browsers: constrained baseline (what every browser's WebRTC
     * decoder takes), zero latency, keyframes where the source has them, about the source's rate.
     */
    private static String html5Video(SourceInfo src, TranscodeConfig cfg, FfmpegInstall ffmpeg, List<String> out) {
        refuseIfLacking(ffmpeg, "libx264");
        int kbps = src.videoKbps(MIN_VIDEO_KBPS, MAX_VIDEO_KBPS);
        out.addAll(List.of("-c:v", "libx264", "-preset", cfg.x264Preset(), "-tune", "zerolatency",
                "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-bf", "0",
                "-b:v", kbps + "k", "-maxrate", kbps + "k", "-bufsize", kbps + "k"));
        keyframes(0, false, out);
        return "libx264 baseline no B-frames " + kbps + "k";
    }

    /**
     * The browser variant's Opus: as {@link #audio}, at constant bitrate ({@link #HTML5_OPUS_CBR_KBPS})
     * unless {@code cfg.lowDelayHtml5()} is off.
     */
    private static String html5Audio(SourceInfo src, TranscodeConfig cfg, FfmpegInstall ffmpeg, List<String> out) {
        if (!cfg.lowDelayHtml5()) {
            return audio(Codec.OPUS, HTML5_OPUS_KBPS, src, ffmpeg, out);
        }
        String summary = audio(Codec.OPUS, HTML5_OPUS_CBR_KBPS, src, ffmpeg, out);
        out.addAll(List.of("-vbr", "off"));
        return summary + " cbr";
    }

    private static String audio(Codec codec, int kbps, SourceInfo src, FfmpegInstall ffmpeg, List<String> out) {
        int channels = Math.max(1, Math.min(2, src.audioChannels() == 0 ? 2 : src.audioChannels()));
        if (codec == Codec.OPUS) {
            refuseIfLacking(ffmpeg, "libopus");
            // RFC 7587: 48 kHz; 20 ms frames as WebRTC sends them; in-band FEC against loss. libopus
            // adds FEC only when told to expect loss, and only in its SILK and hybrid modes: with
            // expected loss above 8 % it picks them (opus_encoder.c mode decision), but "lowdelay"
            // (restricted low delay) forces CELT and so silently drops the FEC; "audio" costs 4 ms
            // more look-ahead.
            out.addAll(List.of("-c:a", "libopus", "-b:a", kbps + "k", "-ar", "48000", "-ac", String.valueOf(channels),
                    "-frame_duration", "20", "-application", "audio", "-fec", "1", "-packet_loss", "10"));
            return "libopus " + kbps + "k";
        }
        refuseIfLacking(ffmpeg, "aac");
        out.addAll(List.of("-c:a", "aac", "-b:a", kbps + "k", "-ac", String.valueOf(channels)));
        return "aac " + kbps + "k";
    }

    private static String pastFfmpeg(Codec video) {
        return video.name().toLowerCase(Locale.ROOT) + " past ffmpeg";
    }

    private static String copy(String track, Codec codec, List<String> out) {
        out.addAll(List.of("-c:" + track, "copy"));
        return codec.name().toLowerCase(Locale.ROOT) + " copy";
    }

    private static void refuseIfLacking(FfmpegInstall ffmpeg, String encoder) {
        String lacking = ffmpeg.lacking(encoder);
        if (lacking != null) {
            throw new TranscodeRefusal(lacking);
        }
    }

    private static String join(String video, String audio) {
        return (video == null ? "no video" : video) + " / " + (audio == null ? "no audio" : audio);
    }
}
