package dev.vireo.media.nal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.Codec;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import dev.vireo.media.hevc.HevcDecoderConfigurationRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SeiTest {

    /** x264 writes its version and options as user_data_unregistered with this UUID. */
    static final UUID X264 = UUID.fromString("dc45e9bd-e6d9-48b7-962c-d820d923eeef");
    /** x265 does the same with this one. */
    static final UUID X265 = UUID.fromString("2ca2de09-b517-47db-bb55-a4fe7fc2fc4e");
    static final UUID BENCH = UUID.fromString("5d1e6a0b-7c3e-4c2a-9a55-0e1f2d3c4b5a");

    @Test
    void readsX264VersionSeiFromTheFirstKeyframe() {
        List<FlvTag> tags = FlvReader.readAll(Vectors.buf("h264_aac.flv"));
        try {
            ByteBuf au = tags.stream().filter(t -> t.type() == FlvTag.VIDEO).map(t -> FlvVideoPacket.parse(t.body()))
                    .filter(p -> p.kind() == FlvPacketKind.CODED).findFirst().orElseThrow().payload();
            byte[] data = Sei.findUserData(Codec.H264, au, X264);
            assertThat(new String(data, StandardCharsets.US_ASCII)).startsWith("x264 - core");
            assertThat(Sei.findUserData(Codec.H264, au, BENCH)).isNull();
        } finally {
            tags.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void readsX265InfoSeiFromHvcC() {
        HevcDecoderConfigurationRecord rec = HevcDecoderConfigurationRecord.parse(Vectors.buf("hevc_main.hvcC"));
        byte[] sei = rec.first(NalUnits.H265_PREFIX_SEI);
        List<SeiMessage> messages = Sei.parse(Codec.H265, Unpooled.wrappedBuffer(sei));
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).uuid()).isEqualTo(X265);
        assertThat(new String(messages.get(0).userData(), StandardCharsets.US_ASCII)).startsWith("x265 (build");
    }

    @Test
    void wallclockSeiRoundTripsThroughInsertion() {
        for (Codec codec : new Codec[] {Codec.H264, Codec.H265}) {
            // a time stamp with zero bytes in it forces emulation prevention
            byte[] stamp = ByteBuffer.allocate(12).putLong(0x0000000100000002L).putInt(0x00000300).array();
            byte[] nal = Sei.userDataUnregistered(codec, BENCH, stamp);
            assertThat(Sei.isSei(codec, Unpooled.wrappedBuffer(nal))).isTrue();
            List<SeiMessage> parsed = Sei.parse(codec, Unpooled.wrappedBuffer(nal));
            assertThat(parsed).hasSize(1);
            assertThat(parsed.get(0).payloadType()).isEqualTo(5);
            assertThat(parsed.get(0).uuid()).isEqualTo(BENCH);
            assertThat(parsed.get(0).userData()).isEqualTo(stamp);

            ByteBuf au = codec == Codec.H264 ? Vectors.hex("00000002 0910 00000003 6588aa 00000002 4101")
                    : Vectors.buf("hevc_main_keyframe.bin");
            ByteBuf withSei = Sei.insert(ByteBufAllocator.DEFAULT, codec, au, nal);
            try {
                assertThat(Sei.findUserData(codec, withSei, BENCH)).isEqualTo(stamp);
                List<ByteBuf> nals = NalUnits.split(withSei);
                int seiIndex = 0;
                while (!Sei.isSei(codec, nals.get(seiIndex)) || Sei.findUserData(codec, lengthPrefixed(nals.get(seiIndex)), BENCH) == null) {
                    seiIndex++;
                }
                // after non-VCL units (AUD), before the first slice
                int firstVcl = 0;
                while (NalUnits.type(codec, nals.get(firstVcl)) >= (codec == Codec.H265 ? 32 : 6)
                        || (codec == Codec.H264 && NalUnits.type(codec, nals.get(firstVcl)) == 0)) {
                    firstVcl++;
                }
                assertThat(seiIndex).isEqualTo(firstVcl - 1);
                assertThat(NalUnits.isKeyframe(codec, withSei)).isEqualTo(NalUnits.isKeyframe(codec, au));
            } finally {
                withSei.release();
            }
        }
    }

    private static ByteBuf lengthPrefixed(ByteBuf nal) {
        return Unpooled.wrappedBuffer(Unpooled.buffer(4).writeInt(nal.readableBytes()), nal.duplicate());
    }

    @Test
    void largePayloadTypesAndSizesUseFfBytes() {
        byte[] data = new byte[600];
        byte[] nal = Sei.userDataUnregistered(Codec.H264, BENCH, data);
        // 06 05 ff ff 5a: size 616 = 255 + 255 + 106
        assertThat(nal[1]).isEqualTo((byte) 5);
        assertThat(nal[2]).isEqualTo((byte) 0xFF);
        assertThat(nal[3]).isEqualTo((byte) 0xFF);
        assertThat(nal[4] & 0xFF).isEqualTo(616 - 510);
        assertThat(Sei.parse(Codec.H264, Unpooled.wrappedBuffer(nal)).get(0).userData()).isEqualTo(data);
    }

    @Test
    void malformedSei() {
        assertThatThrownBy(() -> Sei.parse(Codec.H264, Vectors.hex("06 05 20 0102"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> Sei.parse(Codec.H264, Vectors.hex("06 ff ff"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Sei.parse(Codec.H264, Vectors.hex("65 00"))).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("not a SEI");
        assertThat(Sei.parse(Codec.H264, Vectors.hex("06 80"))).isEmpty();
    }
}
