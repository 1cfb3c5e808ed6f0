package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkCodecTest {

    private static final ChunkDecoder.Limits LIMITS = new ChunkDecoder.Limits(16 << 20, 1 << 20, 64);

    private final ChunkDecoder decoder = new ChunkDecoder(UnpooledByteBufAllocator.DEFAULT, LIMITS);
    private final List<RtmpMessage> out = new ArrayList<>();
    private final List<ByteBuf> inputs = new ArrayList<>();

    @AfterEach
    void release() {
        out.forEach(RtmpMessage::release);
        inputs.forEach(ByteBuf::release);
        decoder.release();
    }

    @ParameterizedTest
    @CsvSource({
        // csid, timestamp, length, chunk size
        "3, 0, 0, 128",
        "3, 1000, 100, 128",
        "4, 1000, 128, 128",
        "4, 1000, 129, 128",
        "63, 5, 5000, 128",
        "64, 5, 5000, 4096",
        "319, 16777214, 300, 128",
        "320, 16777215, 300, 128",        // exactly the extended-timestamp marker
        "65599, 4294967295, 1000, 100",   // largest csid and timestamp
        "6, 305419896, 70000, 4096",
    })
    void roundTrip(int csid, long timestamp, int length, int chunkSize) {
        byte[] payload = new byte[length];
        new Random(length).nextBytes(payload);
        ByteBuf wire = Unpooled.buffer();
        inputs.add(wire);
        ChunkEncoder.writeChunks(wire, csid, MessageType.VIDEO, timestamp, 1, Unpooled.wrappedBuffer(payload), 0,
                length, chunkSize);
        assertThat(wire.readableBytes()).isEqualTo(ChunkEncoder.encodedLength(csid, timestamp, length, chunkSize));
        if (chunkSize != 128) {
            decode(setChunkSize(chunkSize));
        }
        // Fed one byte at a time: partial chunks must wait, never be misparsed.
        ByteBuf cumulation = Unpooled.buffer();
        inputs.add(cumulation);
        while (wire.isReadable()) {
            cumulation.writeBytes(wire, 1);
            decode(cumulation);
            if (wire.isReadable()) {
                assertThat(out).isEmpty();
            }
        }
        assertThat(cumulation.isReadable()).isFalse();
        assertThat(out).hasSize(1);
        RtmpMessage m = out.get(0);
        assertThat(m.chunkStreamId()).isEqualTo(csid);
        assertThat(m.typeId()).isEqualTo(MessageType.VIDEO);
        assertThat(m.timestamp()).isEqualTo(timestamp);
        assertThat(m.messageStreamId()).isEqualTo(1);
        assertThat(ByteBufUtil.getBytes(m.payload())).isEqualTo(payload);
    }

    @Test
    void extendedTimestampIsRepeatedOnEveryContinuationChunk() {
        // RTMP spec §5.3.1.3: 300 bytes at chunk size 128 = type 0 + two type-3 chunks.
        ByteBuf wire = Unpooled.buffer();
        inputs.add(wire);
        ChunkEncoder.writeChunks(wire, 4, MessageType.AUDIO, 0x01000000L, 1, Unpooled.wrappedBuffer(new byte[300]),
                0, 300, 128);
        assertThat(wire.readableBytes()).isEqualTo(1 + 11 + 4 + 128 + (1 + 4 + 128) + (1 + 4 + 44));
        assertThat(wire.getUnsignedMedium(1)).isEqualTo(0xFFFFFF);
        assertThat(wire.getInt(12)).isEqualTo(0x01000000);
        int second = 1 + 11 + 4 + 128;
        assertThat(wire.getUnsignedByte(second)).isEqualTo((short) 0xC4); // fmt 3, csid 4
        assertThat(wire.getInt(second + 1)).isEqualTo(0x01000000);
        int third = second + 1 + 4 + 128;
        assertThat(wire.getUnsignedByte(third)).isEqualTo((short) 0xC4);
        assertThat(wire.getInt(third + 1)).isEqualTo(0x01000000);
        decode(wire);
        assertThat(out).singleElement().satisfies(m -> assertThat(m.timestamp()).isEqualTo(0x01000000L));
    }

    @Test
    void interleavedChunkStreamsWithHeaderCompression() {
        // Two messages of 200 bytes on csid 4 and 6, chunks interleaved, then a type-1, a type-2 and a
        // type-3 message on csid 4 reusing the previous fields (RTMP spec §5.3.1.2, §5.3.2).
        byte[] a = filled(200, 1);
        byte[] b = filled(200, 2);
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        w.writeByte(0x04).writeMedium(1000).writeMedium(200).writeByte(MessageType.AUDIO).writeIntLE(1).writeBytes(a, 0, 128);
        w.writeByte(0x06).writeMedium(2000).writeMedium(200).writeByte(MessageType.VIDEO).writeIntLE(1).writeBytes(b, 0, 128);
        w.writeByte(0xC4).writeBytes(a, 128, 72);
        w.writeByte(0xC6).writeBytes(b, 128, 72);
        w.writeByte(0x44).writeMedium(20).writeMedium(3).writeByte(MessageType.AUDIO).writeBytes(new byte[] {7, 7, 7});
        w.writeByte(0x84).writeMedium(30).writeBytes(new byte[] {8, 8, 8});
        w.writeByte(0xC4).writeBytes(new byte[] {9, 9, 9});
        decode(w);
        assertThat(out).extracting(RtmpMessage::chunkStreamId, RtmpMessage::typeId, RtmpMessage::timestamp,
                RtmpMessage::length).containsExactly(
                org.assertj.core.groups.Tuple.tuple(4, MessageType.AUDIO, 1000L, 200),
                org.assertj.core.groups.Tuple.tuple(6, MessageType.VIDEO, 2000L, 200),
                org.assertj.core.groups.Tuple.tuple(4, MessageType.AUDIO, 1020L, 3),
                org.assertj.core.groups.Tuple.tuple(4, MessageType.AUDIO, 1050L, 3),
                org.assertj.core.groups.Tuple.tuple(4, MessageType.AUDIO, 1080L, 3));
        assertThat(ByteBufUtil.getBytes(out.get(0).payload())).isEqualTo(a);
        assertThat(ByteBufUtil.getBytes(out.get(1).payload())).isEqualTo(b);
        assertThat(ByteBufUtil.getBytes(out.get(4).payload())).containsExactly(9, 9, 9);
        assertThat(out.get(3).messageStreamId()).isEqualTo(1);
    }

    @Test
    void setChunkSizeAppliesToTheNextChunkAndIsNotPassedOn() {
        decode(setChunkSize(4096));
        assertThat(decoder.chunkSize()).isEqualTo(4096);
        assertThat(out).isEmpty();
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        ChunkEncoder.writeChunks(w, 5, MessageType.DATA_AMF0, 0, 1, Unpooled.wrappedBuffer(new byte[3000]), 0, 3000, 4096);
        decode(w);
        assertThat(out).singleElement().satisfies(m -> assertThat(m.length()).isEqualTo(3000));
    }

    @Test
    void abortDiscardsThePartialMessage() {
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        w.writeByte(0x04).writeMedium(0).writeMedium(300).writeByte(MessageType.AUDIO).writeIntLE(1).writeZero(128);
        decode(w);
        ByteBuf abort = control(MessageType.ABORT, 4);
        decode(abort);
        ByteBuf next = Unpooled.buffer();
        inputs.add(next);
        next.writeByte(0x04).writeMedium(0).writeMedium(2).writeByte(MessageType.AUDIO).writeIntLE(1).writeShort(0x0102);
        decode(next);
        assertThat(out).singleElement().satisfies(m -> assertThat(m.length()).isEqualTo(2));
    }

    @Test
    void setChunkSizeLimits() {
        assertThatThrownBy(() -> decode(setChunkSize(0x80000000)))
                .isInstanceOf(RtmpProtocolException.class).hasMessageContaining("top bit set");
        ChunkDecoder d2 = new ChunkDecoder(UnpooledByteBufAllocator.DEFAULT, LIMITS);
        ByteBuf big = setChunkSize((16 << 20) + 1);
        assertThatThrownBy(() -> d2.decode(big, out))
                .isInstanceOf(RtmpProtocolException.class).hasMessage("Set Chunk Size 16777217 outside 1..16777216");
        ChunkDecoder d3 = new ChunkDecoder(UnpooledByteBufAllocator.DEFAULT, LIMITS);
        ByteBuf zero = setChunkSize(0);
        assertThatThrownBy(() -> d3.decode(zero, out)).isInstanceOf(RtmpProtocolException.class);
        d2.release();
        d3.release();
    }

    @Test
    void messageLengthLimit() {
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        w.writeByte(0x04).writeMedium(0).writeMedium((1 << 20) + 1).writeByte(MessageType.VIDEO).writeIntLE(1).writeZero(10);
        assertThatThrownBy(() -> decode(w)).isInstanceOf(RtmpProtocolException.class)
                .hasMessage("message of 1048577 bytes on chunk stream 4 exceeds the limit of 1048576");
    }

    @Test
    void chunkStreamCountLimit() {
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        for (int csid = 2; csid < 2 + 64; csid++) {
            ChunkEncoder.writeChunks(w, csid + 100, MessageType.AUDIO, 0, 1, Unpooled.wrappedBuffer(new byte[1]), 0, 1, 128);
        }
        decode(w);
        assertThat(out).hasSize(64);
        ByteBuf one = Unpooled.buffer();
        inputs.add(one);
        ChunkEncoder.writeChunks(one, 7, MessageType.AUDIO, 0, 1, Unpooled.wrappedBuffer(new byte[1]), 0, 1, 128);
        assertThatThrownBy(() -> decode(one)).isInstanceOf(RtmpProtocolException.class)
                .hasMessage("more than 64 chunk streams on one connection");
    }

    @Test
    void firstChunkOfAStreamMustBeType0AndNoNewHeaderMidMessage() {
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        w.writeByte(0x45).writeMedium(0).writeMedium(1).writeByte(8).writeByte(0);
        assertThatThrownBy(() -> decode(w)).isInstanceOf(RtmpProtocolException.class)
                .hasMessage("chunk stream 5 starts with a type-1 chunk instead of type 0");

        ChunkDecoder d2 = new ChunkDecoder(UnpooledByteBufAllocator.DEFAULT, LIMITS);
        ByteBuf w2 = Unpooled.buffer();
        inputs.add(w2);
        w2.writeByte(0x04).writeMedium(0).writeMedium(300).writeByte(8).writeIntLE(1).writeZero(128);
        w2.writeByte(0x04).writeMedium(0).writeMedium(1).writeByte(8).writeIntLE(1).writeZero(1);
        assertThatThrownBy(() -> d2.decode(w2, out)).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("while a message of 300 bytes is incomplete");
        d2.release();
    }

    @Test
    void encoderHandlerAppliesItsOwnSetChunkSize() {
        var ch = new io.netty.channel.embedded.EmbeddedChannel(new ChunkEncoderHandler());
        ch.writeOutbound(ProtocolControl.setChunkSize(ch.alloc(), 4096));
        ch.writeOutbound(new RtmpMessage(6, MessageType.VIDEO, 0, 1, Unpooled.wrappedBuffer(new byte[3000])));
        ByteBuf first = ch.readOutbound();
        ByteBuf second = ch.readOutbound();
        assertThat(first.readableBytes()).isEqualTo(12 + 4);
        assertThat(second.readableBytes()).as("one chunk at the new size").isEqualTo(12 + 3000);
        first.release();
        second.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void sharedFrameChunksCarryTheFrameTimeButTimeZeroForMetadata() {
        ByteBuf amf = Unpooled.buffer();
        inputs.add(amf);
        dev.vireo.media.amf.Amf0Writer.writeAll(amf, "onMetaData", java.util.Map.of("width", 640.0));
        dev.vireo.core.MediaFrame meta = dev.vireo.core.flv.FlvFrames.fromScriptData(amf, 123_456);
        dev.vireo.core.MediaFrame video = dev.vireo.core.MediaFrame.media(dev.vireo.media.Codec.H264, 123_456, 0, true,
                Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0x65}));
        try {
            for (dev.vireo.core.MediaFrame f : List.of(meta, video)) {
                ByteBuf chunks = f.encoded(RtmpChunkEncoding.INSTANCE);
                decode(setChunkSize(4096));
                ByteBuf wire = chunks.retainedDuplicate(); // the decoder reads it; the test releases it
                inputs.add(wire);
                decode(wire);
            }
            assertThat(out).extracting(RtmpMessage::typeId).containsExactly(MessageType.DATA_AMF0, MessageType.VIDEO);
            // a metadata message at a non-zero time is a timed-text packet to ffmpeg's FLV demuxer
            assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(0L, 123_456L);
        } finally {
            meta.release();
            video.release();
        }
    }

    private void decode(ByteBuf in) {
        decoder.decode(in, out);
    }

    private ByteBuf setChunkSize(int size) {
        return control(MessageType.SET_CHUNK_SIZE, size);
    }

    private ByteBuf control(int type, int value) {
        ByteBuf w = Unpooled.buffer();
        inputs.add(w);
        w.writeByte(0x02).writeMedium(0).writeMedium(4).writeByte(type).writeIntLE(0).writeInt(value);
        return w;
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }
}
