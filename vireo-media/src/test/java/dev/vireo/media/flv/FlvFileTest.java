package dev.vireo.media.flv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.Codec;
import dev.vireo.media.Vectors;
import dev.vireo.media.amf.Amf0Reader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Real FLV files written by ffmpeg 5.1: parse every tag, rewrite it, compare bytes. */
class FlvFileTest {

    @Test
    void h264AacFileParsesAndRewritesByteExactly() {
        ByteBuf file = Vectors.buf("h264_aac.flv");
        List<FlvTag> tags = FlvReader.readAll(file.duplicate());
        try {
            assertThat(tags).hasSizeGreaterThan(20);
            FlvTag meta = tags.get(0);
            assertThat(meta.type()).isEqualTo(FlvTag.SCRIPT_DATA);
            List<Object> amf = Amf0Reader.readAll(meta.body().duplicate());
            assertThat(amf.get(0)).isEqualTo("onMetaData");
            @SuppressWarnings("unchecked")
            Map<String, Object> metaMap = (Map<String, Object>) amf.get(1);
            assertThat(metaMap).containsEntry("width", 160.0).containsEntry("height", 90.0)
                    .containsEntry("videocodecid", 7.0).containsEntry("audiocodecid", 10.0);

            ByteBuf rewritten = Unpooled.buffer();
            new FlvHeader(true, true).write(rewritten);
            int videoConfigs = 0, audioConfigs = 0, keyframes = 0, bframes = 0, ends = 0, audioFrames = 0;
            for (FlvTag tag : tags) {
                ByteBuf body = switch (tag.type()) {
                    case FlvTag.VIDEO -> {
                        FlvVideoPacket p = FlvVideoPacket.parse(tag.body());
                        assertThat(p.codec()).isEqualTo(Codec.H264);
                        assertThat(p.enhanced()).isFalse();
                        switch (p.kind()) {
                            case CONFIG -> {
                                videoConfigs++;
                                assertThat(p.payload().getByte(0)).as("configurationVersion").isEqualTo((byte) 1);
                            }
                            case CODED -> {
                                keyframes += p.isKeyframe() ? 1 : 0;
                                bframes += p.compositionTime() != 0 ? 1 : 0;
                                assertThat(p.payload().getInt(0)).as("first NALU length")
                                        .isBetween(1, p.payload().readableBytes() - 4);
                            }
                            case END_OF_SEQUENCE -> ends++;
                            default -> throw new AssertionError(p.kind());
                        }
                        yield FlvBodyWriter.video(ByteBufAllocator.DEFAULT, p.codec(), p.kind(), p.isKeyframe(),
                                p.compositionTime(), p.payload());
                    }
                    case FlvTag.AUDIO -> {
                        FlvAudioPacket p = FlvAudioPacket.parse(tag.body());
                        assertThat(p.codec()).isEqualTo(Codec.AAC);
                        if (p.kind() == FlvPacketKind.CONFIG) {
                            audioConfigs++;
                            // AudioSpecificConfig: AAC-LC (2), 44.1 kHz (index 4), 2 channels, then
                            // ffmpeg's backward-compatible SBR signalling (sync 0x2b7, SBR absent)
                            assertThat(ByteBufUtil.hexDump(p.payload())).isEqualTo("121056e500");
                        } else {
                            audioFrames++;
                        }
                        yield FlvBodyWriter.audio(ByteBufAllocator.DEFAULT, p.codec(), p.kind(), p.payload());
                    }
                    default -> tag.body().retainedDuplicate();
                };
                FlvTag.write(rewritten, tag.type(), tag.timestamp(), body);
                body.release();
            }
            assertThat(videoConfigs).isEqualTo(1);
            assertThat(audioConfigs).isEqualTo(1);
            assertThat(keyframes).isEqualTo(2); // 15 frames, GOP 10
            assertThat(bframes).as("frames with a composition offset (B-frames)").isPositive();
            assertThat(ends).isEqualTo(1);
            assertThat(audioFrames).isGreaterThan(15);
            assertThat(ByteBufUtil.hexDump(rewritten)).isEqualTo(ByteBufUtil.hexDump(file));
            rewritten.release();
        } finally {
            tags.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void mp3FileRewritesByteExactly() {
        ByteBuf file = Vectors.buf("h264_mp3.flv");
        List<FlvTag> tags = FlvReader.readAll(file.duplicate());
        try {
            ByteBuf rewritten = Unpooled.buffer();
            new FlvHeader(true, true).write(rewritten);
            int mp3 = 0;
            for (FlvTag tag : tags) {
                ByteBuf body;
                if (tag.type() == FlvTag.AUDIO) {
                    FlvAudioPacket p = FlvAudioPacket.parse(tag.body());
                    assertThat(p.codec()).isEqualTo(Codec.MP3);
                    assertThat(p.soundFlags()).as("22 kHz, 16 bit, mono").isEqualTo(0b1010);
                    mp3++;
                    body = FlvBodyWriter.audio(ByteBufAllocator.DEFAULT, Codec.MP3, p.kind(), p.payload());
                } else {
                    body = tag.body().retainedDuplicate();
                }
                FlvTag.write(rewritten, tag.type(), tag.timestamp(), body);
                body.release();
            }
            assertThat(mp3).isPositive();
            assertThat(ByteBufUtil.hexDump(rewritten)).isEqualTo(ByteBufUtil.hexDump(file));
            rewritten.release();
        } finally {
            tags.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void streamingReaderSplitsAnywhere() {
        byte[] file = Vectors.bytes("h264_aac.flv");
        List<FlvTag> whole = FlvReader.readAll(Unpooled.wrappedBuffer(file));
        Random rnd = new Random(3);
        FlvReader reader = new FlvReader();
        ByteBuf acc = Unpooled.buffer();
        List<FlvTag> streamed = new ArrayList<>();
        try {
            int pos = 0;
            while (pos < file.length) {
                int n = Math.min(file.length - pos, 1 + rnd.nextInt(700));
                acc.writeBytes(file, pos, n);
                pos += n;
                for (FlvTag t = reader.next(acc); t != null; t = reader.next(acc)) {
                    streamed.add(t);
                }
                if (acc.refCnt() == 1) {
                    // as ByteToMessageDecoder does: never move bytes under live tag slices
                    acc.discardReadBytes();
                }
            }
            assertThat(acc.isReadable()).isFalse();
            assertThat(reader.header()).isEqualTo(new FlvHeader(true, true));
            assertThat(streamed).hasSameSizeAs(whole);
            for (int i = 0; i < whole.size(); i++) {
                assertThat(streamed.get(i).type()).isEqualTo(whole.get(i).type());
                assertThat(streamed.get(i).timestamp()).isEqualTo(whole.get(i).timestamp());
                assertThat(ByteBufUtil.equals(streamed.get(i).body(), whole.get(i).body())).isTrue();
            }
        } finally {
            whole.forEach(ReferenceCountUtil::release);
            streamed.forEach(ReferenceCountUtil::release);
            acc.release();
        }
    }

    @Test
    void extendedTimestampAndHeaderBytes() {
        ByteBuf out = Unpooled.buffer();
        FlvTag.write(out, FlvTag.VIDEO, 0x12345678L, Vectors.hex("1701000000"));
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("09" + "000005" + "345678" + "12" + "000000"
                + "1701000000" + "00000010");
        ByteBuf file = Unpooled.buffer();
        new FlvHeader(false, true).write(file);
        assertThat(ByteBufUtil.hexDump(file)).isEqualTo("464c5601010000000900000000");
        file.writeBytes(out);
        List<FlvTag> tags = FlvReader.readAll(file);
        assertThat(tags.get(0).timestamp()).isEqualTo(0x12345678L);
        tags.forEach(ReferenceCountUtil::release);
        out.release();
        file.release();
    }

    @Test
    void readerRejectsOversizedEncryptedAndUnknownTagsAndBadHeaders() {
        ByteBuf big = Unpooled.buffer();
        new FlvHeader(true, true).write(big);
        big.writeByte(9).writeMedium(2 << 20).writeInt(0).writeMedium(0);
        assertThatThrownBy(() -> new FlvReader(1 << 20).next(big)).isInstanceOf(FlvException.class)
                .hasMessageContaining("exceeds");
        ByteBuf enc = Unpooled.buffer();
        new FlvHeader(true, true).write(enc);
        enc.writeByte(0x29).writeMedium(1).writeInt(0).writeMedium(0).writeByte(0).writeInt(12);
        assertThatThrownBy(() -> FlvReader.readAll(enc)).isInstanceOf(FlvException.class)
                .hasMessageContaining("encrypted");
        ByteBuf unknown = Unpooled.buffer();
        new FlvHeader(true, true).write(unknown);
        unknown.writeByte(7).writeMedium(0).writeInt(0).writeMedium(0).writeInt(11);
        assertThatThrownBy(() -> FlvReader.readAll(unknown)).isInstanceOf(FlvException.class)
                .hasMessageContaining("tag type 7");
        assertThatThrownBy(() -> FlvReader.readAll(Vectors.hex("464c5802010000000900000000")))
                .isInstanceOf(FlvException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> FlvReader.readAll(Vectors.hex("464c5601010000000900000000 0900")))
                .isInstanceOf(FlvException.class).hasMessageContaining("truncated");
        // incomplete input is not an error for the streaming reader
        assertThat(new FlvReader().next(Vectors.hex("464c56"))).isNull();
    }
}
