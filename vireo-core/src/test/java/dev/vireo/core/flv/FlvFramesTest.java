package dev.vireo.core.flv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.UnsupportedCodecException;
import dev.vireo.media.amf.Amf0Reader;
import dev.vireo.media.amf.Amf0Writer;
import dev.vireo.media.amf.AmfEcmaArray;
import dev.vireo.media.amf.AmfException;
import dev.vireo.media.flv.FlvHeader;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlvFramesTest {

    /** The ffmpeg-made vectors live with the FLV codec in vireo-media (tests run in the module dir). */
    private static byte[] vector(String name) throws IOException {
        return Files.readAllBytes(Path.of("../vireo-media/src/test/resources/vectors", name));
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    private static MediaFrame frameOf(FlvTag tag, List<String> reasons) {
        return switch (tag.type()) {
            case FlvTag.VIDEO -> FlvFrames.fromVideoBody(tag.body(), tag.timestamp(), reasons::add);
            case FlvTag.AUDIO -> FlvFrames.fromAudioBody(tag.body(), tag.timestamp(), reasons::add);
            default -> FlvFrames.fromScriptData(tag.body(), tag.timestamp(), reasons::add);
        };
    }

    @Test
    void ffmpegFileToFramesAndBackToTheSameTags() throws IOException {
        byte[] file = vector("h264_aac.flv");
        List<FlvTag> tags = FlvReader.readAll(Unpooled.wrappedBuffer(file));
        List<MediaFrame> frames = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        ByteBuf expected = Unpooled.buffer();
        ByteBuf actual = Unpooled.buffer();
        try {
            new FlvHeader(true, true).write(expected);
            new FlvHeader(true, true).write(actual);
            for (FlvTag tag : tags) {
                MediaFrame f = frameOf(tag, reasons);
                if (f == null) {
                    continue;
                }
                frames.add(f);
                FlvTag.write(expected, tag.type(), tag.timestamp(), tag.body());
                ByteBuf encoded = f.encoded(FlvTagEncoding.INSTANCE);
                assertThat(f.encoded(FlvTagEncoding.INSTANCE)).isSameAs(encoded);
                actual.writeBytes(encoded, encoded.readerIndex(), encoded.readableBytes());
                ByteBuf body = f.encoded(FlvBodyEncoding.INSTANCE);
                assertThat(ByteBufUtil.equals(body, tag.body())).as("body of %s", f).isTrue();
            }
            assertThat(reasons).containsExactly("H264 end of sequence");
            assertThat(ByteBufUtil.hexDump(actual)).isEqualTo(ByteBufUtil.hexDump(expected));

            MediaFrame meta = frames.get(0);
            assertThat(meta.isData()).isTrue();
            assertThat(Amf0Reader.read(meta.payload().duplicate())).isEqualTo("onMetaData");
            assertThat(frames.stream().filter(MediaFrame::isConfig).map(MediaFrame::codec))
                    .containsExactly(Codec.H264, Codec.AAC);
            MediaFrame firstVideo = frames.stream().filter(f -> f.isVideo() && !f.isConfig()).findFirst().orElseThrow();
            assertThat(firstVideo.isKeyframe()).isTrue();
            assertThat(frames.stream().filter(f -> f.isVideo() && f.cts() > 0)).isNotEmpty();
            assertThat(frames.stream().filter(f -> f.isAudio() && !f.isConfig()))
                    .allSatisfy(f -> assertThat(f.isKeyframe()).isFalse());
        } finally {
            frames.forEach(ReferenceCountUtil::release);
            tags.forEach(ReferenceCountUtil::release);
            expected.release();
            actual.release();
        }
    }

    @Test
    void framesShareTheBodyAndReleaseIt() {
        ByteBuf body = Unpooled.directBuffer().writeBytes(ByteBufUtil.decodeHexDump("27010000210000000241aa"));
        MediaFrame f = FlvFrames.fromVideoBody(body, 1000);
        assertThat(body.refCnt()).isEqualTo(2);
        assertThat(body.readerIndex()).isZero();
        assertThat(f.codec()).isEqualTo(Codec.H264);
        assertThat(f.dts()).isEqualTo(1000);
        assertThat(f.cts()).isEqualTo(33);
        assertThat(f.isKeyframe()).isFalse();
        assertThat(ByteBufUtil.hexDump(f.payload())).isEqualTo("0000000241aa");
        f.release();
        assertThat(body.refCnt()).isEqualTo(1);
        body.release();
    }

    @Test
    void enhancedHevcAv1AndOpusRoundTrip() {
        String[] videoBodies = {
            "90 68766331 01016000",              // SequenceStart hvcC (truncated record: bytes pass through)
            "91 68766331 000021 0000000226 01",  // CodedFrames, key, cts 33
            "a3 68766331 0000000202 01",         // CodedFramesX, inter
            "90 61763031 81000c00",              // av1C
            "a1 61763031 12000a0a",              // AV1 inter OBUs
        };
        for (String hex : videoBodies) {
            ByteBuf in = hex(hex);
            MediaFrame f = FlvFrames.fromVideoBody(in, 40);
            try {
                ByteBuf b = FlvFrames.body(f);
                assertThat(ByteBufUtil.hexDump(b)).isEqualTo(hex.replace(" ", ""));
                b.release();
                assertThat(f.isKeyframe()).isEqualTo(hex.startsWith("9"));
            } finally {
                f.release();
            }
        }
        MediaFrame hevc = FlvFrames.fromVideoBody(hex("91 68766331 000021 0000000226 01"), 40);
        assertThat(hevc.codec()).isEqualTo(Codec.H265);
        assertThat(hevc.pts()).isEqualTo(73);
        hevc.release();
        for (String hex : new String[] {"90 4f707573 4f707573486561640102380180bb0000000000", "91 4f707573 fcfffe"}) {
            MediaFrame f = FlvFrames.fromAudioBody(hex(hex), 20);
            try {
                assertThat(f.codec()).isEqualTo(Codec.OPUS);
                ByteBuf b = FlvFrames.body(f);
                assertThat(ByteBufUtil.hexDump(b)).isEqualTo(hex.replace(" ", ""));
                b.release();
            } finally {
                f.release();
            }
        }
    }

    @Test
    void packetsWithoutFramesSayWhy() {
        List<String> reasons = new ArrayList<>();
        assertThat(FlvFrames.fromVideoBody(hex("17 02 000000"), 0, reasons::add)).isNull();
        assertThat(FlvFrames.fromVideoBody(hex("d1 00"), 0, reasons::add)).isNull();
        assertThat(FlvFrames.fromVideoBody(hex("84 68766331 05"), 0, reasons::add)).isNull();
        assertThat(FlvFrames.fromVideoBody(hex("27 01 000000"), 0, reasons::add)).isNull();
        assertThat(FlvFrames.fromAudioBody(Unpooled.EMPTY_BUFFER, 0, reasons::add)).isNull();
        assertThat(FlvFrames.fromAudioBody(hex("92 4f707573"), 0, reasons::add)).isNull();
        assertThat(FlvFrames.fromVideoBody(hex("17 00 000000"), 0)).isNull();
        assertThat(reasons).containsExactly("H264 end of sequence", "video command frame",
                "H265 video metadata packet", "empty H264 frame", "empty audio message (silence)",
                "OPUS end of sequence");
    }

    @Test
    void setDataFrameIsStrippedAndOtherScriptMessagesSkipped() {
        ByteBuf rtmp = Unpooled.buffer();
        Amf0Writer.writeAll(rtmp, "@setDataFrame", "onMetaData", new AmfEcmaArray(Map.of("width", 1280.0)));
        MediaFrame f = FlvFrames.fromScriptData(rtmp, 0);
        ByteBuf file = Unpooled.buffer();
        Amf0Writer.writeAll(file, "onMetaData", new AmfEcmaArray(Map.of("width", 1280.0)));
        assertThat(ByteBufUtil.hexDump(f.payload())).isEqualTo(ByteBufUtil.hexDump(file));
        MediaFrame g = FlvFrames.fromScriptData(file, 0);
        assertThat(ByteBufUtil.equals(g.payload(), file)).isTrue();
        ByteBuf tag = f.encoded(FlvTagEncoding.INSTANCE);
        assertThat(tag.getByte(0)).isEqualTo((byte) FlvTag.SCRIPT_DATA);
        assertThat(tag.getUnsignedMedium(1)).isEqualTo(file.readableBytes());
        f.release();
        g.release();
        rtmp.release();
        file.release();

        List<String> reasons = new ArrayList<>();
        ByteBuf cue = Unpooled.buffer();
        Amf0Writer.writeAll(cue, "onCuePoint", Map.of("name", "x"));
        assertThat(FlvFrames.fromScriptData(cue, 0, reasons::add)).isNull();
        assertThat(reasons).containsExactly("script message \"onCuePoint\" ignored");
        cue.release();

        assertThatThrownBy(() -> FlvFrames.fromScriptData(hex("00 3ff0000000000000"), 0))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("does not start with a name");
        assertThatThrownBy(() -> FlvFrames.fromScriptData(hex("02 000a 6f6e4d65746144617461 08 00000001 0001 61"), 0))
                .isInstanceOf(AmfException.class);
    }

    @Test
    void metadataTagsCarryTimeZeroWhateverTheFrameTimeSoFfprobeSeesNoTextTrack() {
        ByteBuf file = Unpooled.buffer();
        Amf0Writer.writeAll(file, "onMetaData", new AmfEcmaArray(Map.of("width", 640.0)));
        MediaFrame meta = FlvFrames.fromScriptData(file, 0x0123_4567);
        MediaFrame video = MediaFrame.config(Codec.H264, 0x0123_4567, Unpooled.wrappedBuffer(new byte[] {1, 2}));
        try {
            assertThat(FlvFrames.tagTimestamp(meta)).isZero();
            assertThat(FlvFrames.tagTimestamp(video)).isEqualTo(0x0123_4567);
            ByteBuf tag = meta.encoded(FlvTagEncoding.INSTANCE);
            // FLV v10.1 E.4.1: Timestamp (UI24) then TimestampExtended (UI8)
            assertThat(tag.getUnsignedMedium(4)).isZero();
            assertThat((int) tag.getUnsignedByte(7)).isZero();
            ByteBuf v = video.encoded(FlvTagEncoding.INSTANCE);
            assertThat(v.getUnsignedMedium(4)).isEqualTo(0x23_4567);
            assertThat((int) v.getUnsignedByte(7)).isEqualTo(0x01);
        } finally {
            meta.release();
            video.release();
            file.release();
        }
    }

    @Test
    void garbageAndUnsupportedCodecsThrow() {
        assertThatThrownBy(() -> FlvFrames.fromVideoBody(hex("17 07 000000"), 0))
                .isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> FlvFrames.fromVideoBody(hex("90 76703039 00"), 0))
                .isInstanceOf(UnsupportedCodecException.class);
        assertThatThrownBy(() -> FlvFrames.fromAudioBody(hex("b6 00"), 0))
                .isInstanceOf(UnsupportedCodecException.class);
        Random rnd = new Random(9);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[rnd.nextInt(16)];
            rnd.nextBytes(b);
            for (int kind = 0; kind < 3; kind++) {
                MediaFrame f = null;
                try {
                    ByteBuf in = Unpooled.wrappedBuffer(b);
                    f = kind == 0 ? FlvFrames.fromVideoBody(in, 0) : kind == 1
                            ? FlvFrames.fromAudioBody(in, 0) : FlvFrames.fromScriptData(in, 0);
                } catch (MediaFormatException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } finally {
                    ReferenceCountUtil.release(f);
                }
            }
        }
    }
}
