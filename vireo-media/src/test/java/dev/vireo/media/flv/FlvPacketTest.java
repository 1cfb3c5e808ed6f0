package dev.vireo.media.flv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.Codec;
import dev.vireo.media.UnsupportedCodecException;
import dev.vireo.media.Vectors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * Enhanced RTMP bodies, crafted byte by byte from the spec (Debian's ffmpeg 5.1 cannot write
 * enhanced FLV: its muxer rejects HEVC with "Video codec hevc not compatible with flv"), around
 * real configuration records and frames from libx265 and libaom.
 */
class FlvPacketTest {

    private static final String HVC1 = "68766331";
    private static final String AV01 = "61763031";
    private static final String OPUS = "4f707573";

    private static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    @Test
    void enhancedHevcSequenceStartAndCodedFrames() {
        ByteBuf hvcC = Vectors.buf("hevc_main.hvcC");
        ByteBuf body = Unpooled.wrappedBuffer(Vectors.hex("90" + HVC1), hvcC.duplicate());
        FlvVideoPacket p = FlvVideoPacket.parse(body);
        assertThat(p.codec()).isEqualTo(Codec.H265);
        assertThat(p.kind()).isEqualTo(FlvPacketKind.CONFIG);
        assertThat(p.enhanced()).isTrue();
        assertThat(p.isKeyframe()).isTrue();
        assertThat(ByteBufUtil.equals(p.payload(), hvcC)).isTrue();
        assertThat(body.readerIndex()).as("parse leaves the body alone").isZero();

        ByteBuf frame = Vectors.buf("hevc_main_keyframe.bin");
        FlvVideoPacket coded = FlvVideoPacket.parse(
                Unpooled.wrappedBuffer(Vectors.hex("91" + HVC1 + "fffff0"), frame.duplicate()));
        assertThat(coded.kind()).isEqualTo(FlvPacketKind.CODED);
        assertThat(coded.compositionTime()).isEqualTo(-16);
        assertThat(ByteBufUtil.equals(coded.payload(), frame)).isTrue();

        FlvVideoPacket x = FlvVideoPacket.parse(Vectors.hex("a3" + HVC1 + "00000001ab"));
        assertThat(x.kind()).isEqualTo(FlvPacketKind.CODED);
        assertThat(x.frameType()).isEqualTo(FlvFrameType.INTER);
        assertThat(x.compositionTime()).isZero();
        assertThat(hex(x.payload())).isEqualTo("00000001ab");

        FlvVideoPacket end = FlvVideoPacket.parse(Vectors.hex("92" + HVC1));
        assertThat(end.kind()).isEqualTo(FlvPacketKind.END_OF_SEQUENCE);
    }

    @Test
    void legacyHevcCodecId12AsUsedByChineseCdns() {
        FlvVideoPacket p = FlvVideoPacket.parse(Vectors.hex("1c 00 000000 01"));
        assertThat(p.codec()).isEqualTo(Codec.H265);
        assertThat(p.kind()).isEqualTo(FlvPacketKind.CONFIG);
        assertThat(p.enhanced()).isFalse();
        FlvVideoPacket c = FlvVideoPacket.parse(Vectors.hex("2c 01 000021 00000001aa"));
        assertThat(c.compositionTime()).isEqualTo(33);
        assertThat(c.isKeyframe()).isFalse();
    }

    @Test
    void enhancedAv1HasNoCompositionTime() {
        ByteBuf obus = Vectors.buf("av1_main_keyframe.obu");
        FlvVideoPacket p = FlvVideoPacket.parse(Unpooled.wrappedBuffer(Vectors.hex("91" + AV01), obus.duplicate()));
        assertThat(p.codec()).isEqualTo(Codec.AV1);
        assertThat(p.kind()).isEqualTo(FlvPacketKind.CODED);
        assertThat(p.compositionTime()).isZero();
        assertThat(ByteBufUtil.equals(p.payload(), obus)).isTrue();
        FlvVideoPacket c = FlvVideoPacket.parse(Unpooled.wrappedBuffer(Vectors.hex("90" + AV01),
                Vectors.buf("av1_main.av1C")));
        assertThat(c.kind()).isEqualTo(FlvPacketKind.CONFIG);
        assertThat((int) c.payload().getUnsignedByte(0)).as("av1C marker|version").isEqualTo(0x81);
    }

    @Test
    void enhancedAvcIsAccepted() {
        FlvVideoPacket p = FlvVideoPacket.parse(Vectors.hex("91 61766331 000028 00000001 65"));
        assertThat(p.codec()).isEqualTo(Codec.H264);
        assertThat(p.compositionTime()).isEqualTo(40);
    }

    @Test
    void modExTimestampOffsetNanoIsReadAndSkipped() {
        // ModEx (7) with 3 data bytes = 500000 ns, then ModExType 0 | CodedFrames
        FlvVideoPacket p = FlvVideoPacket.parse(Vectors.hex("97 02 07a120 01" + HVC1 + "000000 abcd"));
        assertThat(p.kind()).isEqualTo(FlvPacketKind.CODED);
        assertThat(p.codec()).isEqualTo(Codec.H265);
        assertThat(p.timestampNanoOffset()).isEqualTo(500_000);
        assertThat(hex(p.payload())).isEqualTo("abcd");
        // 16-bit size form: UI8 255 then UI16 size-1
        String data = "00".repeat(300);
        FlvVideoPacket q = FlvVideoPacket.parse(Vectors.hex("97 ff 012b " + data + " 03" + AV01 + "12"));
        assertThat(q.kind()).isEqualTo(FlvPacketKind.CODED);
        assertThat(hex(q.payload())).isEqualTo("12");
    }

    @Test
    void multitrackKeepsTheDefaultTrack() {
        // ManyTracks (1) of CodedFrames (1) av01: track 2 then track 0
        FlvVideoPacket p = FlvVideoPacket.parse(Vectors.hex("96 11" + AV01 + "02 000002 aaaa" + "00 000001 bb"));
        assertThat(p.codec()).isEqualTo(Codec.AV1);
        assertThat(hex(p.payload())).isEqualTo("bb");
        // OneTrack (0): the rest of the message is the track
        FlvVideoPacket one = FlvVideoPacket.parse(Vectors.hex("96 01" + HVC1 + "00 000005 cc"));
        assertThat(one.compositionTime()).isEqualTo(5);
        assertThat(hex(one.payload())).isEqualTo("cc");
        // ManyTracksManyCodecs (2): a FOURCC per track
        FlvVideoPacket many = FlvVideoPacket.parse(Vectors.hex("96 20" + AV01 + "00 000001 dd" + HVC1 + "01 000001 ee"));
        assertThat(many.codec()).isEqualTo(Codec.AV1);
        assertThat(many.kind()).isEqualTo(FlvPacketKind.CONFIG);
        assertThat(hex(many.payload())).isEqualTo("dd");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("96 11" + AV01 + "00 000009 aa")))
                .isInstanceOf(FlvException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("96 16" + AV01)))
                .isInstanceOf(FlvException.class).hasMessageContaining("not allowed");
    }

    @Test
    void commandAndMetadataPackets() {
        FlvVideoPacket cmd = FlvVideoPacket.parse(Vectors.hex("d1 00"));
        assertThat(cmd.kind()).isEqualTo(FlvPacketKind.COMMAND);
        assertThat(cmd.codec()).isNull();
        FlvVideoPacket legacyCmd = FlvVideoPacket.parse(Vectors.hex("57 01"));
        assertThat(legacyCmd.kind()).isEqualTo(FlvPacketKind.COMMAND);
        assertThat(legacyCmd.codec()).isEqualTo(Codec.H264);
        // Metadata: frame type is ignored, even the reserved value 0
        FlvVideoPacket meta = FlvVideoPacket.parse(Vectors.hex("84" + HVC1 + "02 0009 636f6c6f72496e666f 03 0000 09"));
        assertThat(meta.kind()).isEqualTo(FlvPacketKind.METADATA);
        assertThat(meta.payload().getByte(0)).isEqualTo((byte) 0x02);
    }

    @Test
    void unsupportedAndInvalidVideo() {
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("90 76703039 00")))
                .isInstanceOf(UnsupportedCodecException.class).hasMessageContaining("vp09");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("12 00")))
                .isInstanceOf(UnsupportedCodecException.class).hasMessageContaining("H.263");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("90 78787878")))
                .isInstanceOf(FlvException.class).hasMessageContaining("unknown video FOURCC xxxx");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("17 03 000000")))
                .isInstanceOf(FlvException.class).hasMessageContaining("AVCPacketType 3");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("17 01 00")))
                .isInstanceOf(FlvException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("07 01 000000")))
                .isInstanceOf(FlvException.class).hasMessageContaining("frame type 0");
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("")))
                .isInstanceOf(FlvException.class);
        assertThatThrownBy(() -> FlvVideoPacket.parse(Vectors.hex("98" + HVC1)))
                .isInstanceOf(FlvException.class).hasMessageContaining("reserved VideoPacketType 8");
    }

    @Test
    void audioLegacyAndEnhanced() {
        FlvAudioPacket aac = FlvAudioPacket.parse(Vectors.hex("af 00 1190"));
        assertThat(aac.codec()).isEqualTo(Codec.AAC);
        assertThat(aac.kind()).isEqualTo(FlvPacketKind.CONFIG);
        assertThat(hex(aac.payload())).isEqualTo("1190");
        ByteBuf head = Vectors.buf("opus_stereo.OpusHead");
        FlvAudioPacket opus = FlvAudioPacket.parse(Unpooled.wrappedBuffer(Vectors.hex("90" + OPUS), head.duplicate()));
        assertThat(opus.codec()).isEqualTo(Codec.OPUS);
        assertThat(opus.kind()).isEqualTo(FlvPacketKind.CONFIG);
        assertThat(ByteBufUtil.equals(opus.payload(), head)).isTrue();
        FlvAudioPacket frame = FlvAudioPacket.parse(Vectors.hex("91" + OPUS + "fc ff fe"));
        assertThat(frame.kind()).isEqualTo(FlvPacketKind.CODED);
        assertThat(hex(frame.payload())).isEqualTo("fcfffe");
        FlvAudioPacket mp4a = FlvAudioPacket.parse(Vectors.hex("91 6d703461 21"));
        assertThat(mp4a.codec()).isEqualTo(Codec.AAC);
        FlvAudioPacket mp3 = FlvAudioPacket.parse(Vectors.hex("91 2e6d7033 fffb"));
        assertThat(mp3.codec()).isEqualTo(Codec.MP3);
        assertThat(FlvAudioPacket.parse(Vectors.hex("92" + OPUS)).kind()).isEqualTo(FlvPacketKind.END_OF_SEQUENCE);
        assertThat(FlvAudioPacket.parse(Vectors.hex("94" + OPUS + "00 02")).kind()).isEqualTo(FlvPacketKind.METADATA);
        // multitrack audio: ManyTracks of CodedFrames, default track 0 second
        FlvAudioPacket mt = FlvAudioPacket.parse(Vectors.hex("95 11" + OPUS + "01 000001 aa 00 000001 bb"));
        assertThat(hex(mt.payload())).isEqualTo("bb");
    }

    @Test
    void unsupportedAndInvalidAudio() {
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("b6 00")))
                .isInstanceOf(UnsupportedCodecException.class).hasMessageContaining("Speex");
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("91 664c6143")))
                .isInstanceOf(UnsupportedCodecException.class).hasMessageContaining("fLaC");
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("af 02")))
                .isInstanceOf(FlvException.class).hasMessageContaining("AACPacketType 2");
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("af")))
                .isInstanceOf(FlvException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("c0")))
                .isInstanceOf(FlvException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("93" + OPUS)))
                .isInstanceOf(FlvException.class).hasMessageContaining("reserved AudioPacketType 3");
        assertThatThrownBy(() -> FlvAudioPacket.parse(Vectors.hex("")))
                .isInstanceOf(FlvException.class);
    }

    @Test
    void writerHeaderBytes() {
        assertThat(header(Codec.H264, FlvPacketKind.CONFIG, true, 0)).isEqualTo("1700000000");
        assertThat(header(Codec.H264, FlvPacketKind.CODED, false, 40)).isEqualTo("2701000028");
        assertThat(header(Codec.H264, FlvPacketKind.CODED, true, -2)).isEqualTo("1701fffffe");
        assertThat(header(Codec.H264, FlvPacketKind.END_OF_SEQUENCE, true, 0)).isEqualTo("1702000000");
        assertThat(header(Codec.H265, FlvPacketKind.CONFIG, true, 0)).isEqualTo("90" + HVC1);
        assertThat(header(Codec.H265, FlvPacketKind.CODED, true, 0)).isEqualTo("93" + HVC1);
        assertThat(header(Codec.H265, FlvPacketKind.CODED, false, 33)).isEqualTo("a1" + HVC1 + "000021");
        assertThat(header(Codec.H265, FlvPacketKind.END_OF_SEQUENCE, true, 0)).isEqualTo("92" + HVC1);
        assertThat(header(Codec.AV1, FlvPacketKind.CONFIG, true, 0)).isEqualTo("90" + AV01);
        assertThat(header(Codec.AV1, FlvPacketKind.CODED, false, 0)).isEqualTo("a1" + AV01);
        assertThat(FlvBodyWriter.videoHeaderSize(Codec.H265, FlvPacketKind.CODED, 33)).isEqualTo(8);
        assertThat(FlvBodyWriter.videoHeaderSize(Codec.H265, FlvPacketKind.CODED, 0)).isEqualTo(5);
        assertThat(audioHeader(Codec.AAC, FlvPacketKind.CONFIG)).isEqualTo("af00");
        assertThat(audioHeader(Codec.AAC, FlvPacketKind.CODED)).isEqualTo("af01");
        assertThat(audioHeader(Codec.OPUS, FlvPacketKind.CONFIG)).isEqualTo("90" + OPUS);
        assertThat(audioHeader(Codec.OPUS, FlvPacketKind.CODED)).isEqualTo("91" + OPUS);
        assertThatThrownBy(() -> header(Codec.H264, FlvPacketKind.CODED, true, 1 << 23))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> header(Codec.AAC, FlvPacketKind.CODED, true, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writerParserRoundTripForEveryCodec() {
        ByteBuf payload = Vectors.hex("0000000265aa");
        for (Codec codec : new Codec[] {Codec.H264, Codec.H265, Codec.AV1}) {
            for (FlvPacketKind kind : new FlvPacketKind[] {FlvPacketKind.CONFIG, FlvPacketKind.CODED, FlvPacketKind.END_OF_SEQUENCE}) {
                for (int cts : new int[] {0, 67, -1}) {
                    boolean key = cts == 0;
                    if (codec == Codec.AV1 && cts != 0) {
                        continue;
                    }
                    ByteBuf body = FlvBodyWriter.video(ByteBufAllocator.DEFAULT, codec, kind, key, cts, payload);
                    FlvVideoPacket p = FlvVideoPacket.parse(body);
                    assertThat(p.codec()).isEqualTo(codec);
                    assertThat(p.kind()).isEqualTo(kind);
                    assertThat(p.isKeyframe()).isEqualTo(key || kind != FlvPacketKind.CODED);
                    assertThat(p.compositionTime()).isEqualTo(kind == FlvPacketKind.CODED ? cts : 0);
                    assertThat(ByteBufUtil.equals(p.payload(), payload)).isTrue();
                    body.release();
                }
            }
        }
        for (Codec codec : new Codec[] {Codec.AAC, Codec.OPUS, Codec.MP3}) {
            for (FlvPacketKind kind : new FlvPacketKind[] {FlvPacketKind.CONFIG, FlvPacketKind.CODED}) {
                if (codec == Codec.MP3 && kind == FlvPacketKind.CONFIG) {
                    continue;
                }
                ByteBuf body = FlvBodyWriter.audio(ByteBufAllocator.DEFAULT, codec, kind, payload);
                FlvAudioPacket p = FlvAudioPacket.parse(body);
                assertThat(p.codec()).isEqualTo(codec);
                assertThat(p.kind()).isEqualTo(kind);
                assertThat(ByteBufUtil.equals(p.payload(), payload)).isTrue();
                body.release();
            }
        }
    }

    private static String header(Codec codec, FlvPacketKind kind, boolean key, int cts) {
        ByteBuf out = Unpooled.buffer();
        FlvBodyWriter.writeVideoHeader(out, codec, kind, key, cts);
        return hex(out);
    }

    private static String audioHeader(Codec codec, FlvPacketKind kind) {
        ByteBuf out = Unpooled.buffer();
        FlvBodyWriter.writeAudioHeader(out, codec, kind, Unpooled.EMPTY_BUFFER);
        return hex(out);
    }
}
