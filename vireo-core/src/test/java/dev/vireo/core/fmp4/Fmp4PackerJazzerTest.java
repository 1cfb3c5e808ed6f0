package dev.vireo.core.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link Fmp4Packer}'s media fragments fed a publisher's frames (issue
 * 17): what the LL-HLS segmenter writes per part and the recorder per GOP. The init segment alone
 * is fuzzed by {@code CodecConfigJazzerTest}; here a stream's configurations are followed by runs
 * of access units with fuzzed time stamps, composition offsets, sizes and key flags. {@link
 * Fmp4Packer#of} may refuse a configuration only with {@link MediaFormatException}; a fragment is
 * never refused: it is null exactly when no frame of it is carried, and otherwise {@code moof} +
 * {@code mdat} whose sizes add up, whose {@code mfhd} sequence numbers count up from 1, with one
 * {@code trun} entry per frame, every duration and base decode time non-negative (a video sample
 * lasts until the next frame: 90 × the gap in ms), every audio duration one AAC frame or what the
 * Opus TOC says, and the frames' payloads copied in order; the frames are not released nor their
 * indices moved.
 *
 * <p>Input: byte 0 picks the video (H.264/H.265/AV1/none) and audio (AAC/Opus/Opus without
 * OpusHead/none) tracks; then each present configuration as {@code length (2), bytes}; then
 * fragments: {@code count (video frames low 4 bits, audio frames high 4 bits)}, per frame
 * {@code flags (1 key, 2 the delta is × 2^16), dts delta (2 bytes signed, ms), cts (3 bytes
 * signed, ms, as RTMP sends it), length (2), payload}, then the video end's delta (2). Seeds in
 * {@code Fmp4PackerJazzerTestInputs/} (ffmpeg's H.264/AAC FLV, {@code vireo-media}'s
 * {@code vectors/h264_aac.flv}, as GOP-long fragments, and its HEVC configuration with an Opus
 * head); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class Fmp4PackerJazzerTest {

    private static final Codec[] VIDEO = {Codec.H264, Codec.H265, Codec.AV1, null};
    private static final int MAX_FRAGMENTS = 64;
    /** No leak tracking: the tests' paranoid level records a stack trace per buffer write. */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void fragments(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Input in = new Input(data);
        int choice = in.u8();
        Codec video = VIDEO[choice & 3];
        int audioChoice = (choice >>> 2) & 3;
        Codec audio = audioChoice == 0 ? Codec.AAC : audioChoice == 3 ? null : Codec.OPUS;
        List<MediaFrame> owned = new ArrayList<>();
        try {
            MediaFrame videoConfig = video == null ? null : own(owned, MediaFrame.config(video, 0, in.block(in.u16())));
            MediaFrame audioConfig = audio == null || audioChoice == 2 ? null
                    : own(owned, MediaFrame.config(audio, 0, in.block(in.u16())));
            Fmp4Packer packer;
            try {
                packer = Fmp4Packer.of(videoConfig, audioConfig, audio);
            } catch (MediaFormatException refused) {
                return; // documented: the caller (segmenter, recorder) stops packaging this stream
            }
            if (packer == null) {
                return;
            }
            assertThat(type(packer.init(), 0)).isEqualTo("ftyp");
            long dts = 0;
            int sequence = 0;
            for (int n = 0; n < MAX_FRAGMENTS && in.remaining() > 0; n++) {
                int counts = in.u8();
                List<MediaFrame> videoFrames = new ArrayList<>();
                List<MediaFrame> audioFrames = new ArrayList<>();
                for (int i = 0; i < (counts & 0x0F) + (counts >>> 4) && in.remaining() > 0; i++) {
                    boolean isVideo = i < (counts & 0x0F);
                    int flags = in.u8();
                    int delta = (short) in.u16();
                    dts = Math.max(0, dts + ((flags & 2) != 0 ? (long) delta << 16 : delta));
                    int cts = (in.u16() << 16 | in.u8() << 8) >> 8;
                    ByteBuf payload = in.block(in.u16());
                    Codec codec = isVideo ? video : audio;
                    if (codec == null) {
                        payload.release();
                        continue;
                    }
                    MediaFrame f = own(owned, MediaFrame.media(codec, dts, isVideo ? cts : 0,
                            isVideo && (flags & 1) != 0, payload));
                    (isVideo ? videoFrames : audioFrames).add(f);
                }
                long endDts = Math.max(0, dts + (short) in.u16());
                List<MediaFrame> carriedVideo = videoFrames.stream().filter(packer::carries).toList();
                List<MediaFrame> carriedAudio = audioFrames.stream().filter(packer::carries).toList();
                int[] readers = owned.stream().mapToInt(f -> f.payload().readerIndex()).toArray();
                byte[] fragment = packer.fragment(carriedVideo, endDts, carriedAudio);
                for (int i = 0; i < owned.size(); i++) {
                    assertThat(owned.get(i).refCnt()).as("the packer does not release frames").isEqualTo(1);
                    assertThat(owned.get(i).payload().readerIndex()).isEqualTo(readers[i]);
                }
                if (carriedVideo.isEmpty() && carriedAudio.isEmpty()) {
                    assertThat(fragment).as("nothing carried, no fragment").isNull();
                    continue;
                }
                assertThat(fragment).isNotNull();
                check(fragment, ++sequence, carriedVideo, endDts, carriedAudio);
            }
        } finally {
            owned.forEach(MediaFrame::release);
        }
    }

    private static MediaFrame own(List<MediaFrame> owned, MediaFrame f) {
        owned.add(f);
        return f;
    }

    /** moof (mfhd, traf: tfhd tfdt trun) + mdat, checked against the frames. */
    private static void check(byte[] b, int sequence, List<MediaFrame> video, long endDts, List<MediaFrame> audio) {
        assertThat(type(b, 0)).isEqualTo("moof");
        int moofSize = u32(b, 0);
        assertThat(moofSize).isBetween(8, b.length - 8);
        assertThat(type(b, moofSize)).isEqualTo("mdat");
        int mdatSize = u32(b, moofSize);
        assertThat((long) moofSize + mdatSize).as("the boxes fill the fragment").isEqualTo(b.length);
        int pos = 8;
        assertThat(type(b, pos)).isEqualTo("mfhd");
        assertThat(u32(b, pos + 12)).as("sequence_number").isEqualTo(sequence);
        pos += u32(b, pos);
        int data = moofSize + 8;
        List<List<MediaFrame>> tracks = new ArrayList<>();
        if (!video.isEmpty()) {
            tracks.add(video);
        }
        if (!audio.isEmpty()) {
            tracks.add(audio);
        }
        for (List<MediaFrame> frames : tracks) {
            assertThat(type(b, pos)).isEqualTo("traf");
            int trafEnd = pos + u32(b, pos);
            int tfhd = pos + 8;
            int trackId = u32(b, tfhd + 12);
            int tfdt = tfhd + u32(b, tfhd);
            assertThat(type(b, tfdt)).isEqualTo("tfdt");
            long base = (long) u32(b, tfdt + 12) << 32 | (u32(b, tfdt + 16) & 0xFFFF_FFFFL);
            assertThat(base).as("baseMediaDecodeTime").isNotNegative();
            int trun = tfdt + u32(b, tfdt);
            assertThat(type(b, trun)).isEqualTo("trun");
            assertThat(u32(b, trun + 12)).as("one sample per frame").isEqualTo(frames.size());
            assertThat(u32(b, trun + 16)).as("data_offset").isEqualTo(data);
            int entry = trun + 20;
            for (int i = 0; i < frames.size(); i++, entry += 16) {
                MediaFrame f = frames.get(i);
                int duration = u32(b, entry);
                int size = u32(b, entry + 4);
                assertThat(duration).as("sample duration").isNotNegative();
                if (trackId == Fmp4Packer.VIDEO_TRACK) {
                    long next = i + 1 < frames.size() ? frames.get(i + 1).dts() : endDts;
                    long ticks = Math.max(0, next - f.dts()) * 90;
                    if (ticks <= Integer.MAX_VALUE) {
                        assertThat(duration).as("a video sample lasts until the next").isEqualTo((int) ticks);
                    }
                    assertThat(u32(b, entry + 12)).as("composition offset").isEqualTo(f.cts() * 90);
                } else {
                    assertThat(duration).as("audio duration").isBetween(1, 5760);
                }
                assertThat(size).isEqualTo(f.payload().readableBytes());
                assertThat(Unpooled.wrappedBuffer(b, data, size)).as("the payload is copied")
                        .isEqualTo(f.payload().duplicate());
                data += size;
            }
            pos = trafEnd;
        }
        assertThat(pos).as("nothing else in the moof").isEqualTo(moofSize);
        assertThat(data).as("the mdat holds the samples and nothing else").isEqualTo(b.length);
    }

    private static int u32(byte[] b, int pos) {
        assertThat(pos + 4).isLessThanOrEqualTo(b.length);
        return (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | b[pos + 3] & 0xFF;
    }

    private static String type(byte[] b, int pos) {
        assertThat(pos + 8).isLessThanOrEqualTo(b.length);
        return new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
    }

    /** The fuzz input read front to back; past its end everything reads as 0. */
    private static final class Input {
        private final byte[] data;
        private int pos;

        Input(byte[] data) {
            this.data = data;
        }

        int remaining() {
            return data.length - pos;
        }

        int u8() {
            return pos < data.length ? data[pos++] & 0xFF : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        ByteBuf block(int length) {
            int n = Math.min(length, remaining());
            ByteBuf b = ALLOC.heapBuffer(n).writeBytes(data, pos, n);
            pos += n;
            return b;
        }
    }
}
