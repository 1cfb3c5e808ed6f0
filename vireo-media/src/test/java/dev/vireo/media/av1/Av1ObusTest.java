package dev.vireo.media.av1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Av1ObusTest {

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    @Test
    void splitsLowOverheadObusWithAndWithoutSizeFields() {
        // TD; sequence header with obu_size 2; frame OBU with extension (tid 1) and obu_size 1; tile group to the end
        ByteBuf tu = hex("1200 0a02aabb 36 20 01cc 20 ddeeff");
        List<Av1Obus.Obu> obus = Av1Obus.split(tu);
        assertThat(obus).extracting(Av1Obus.Obu::type).containsExactly(2, 1, 6, 4);
        assertThat(obus.get(1).payloadSize()).isEqualTo(2);
        assertThat(obus.get(2).extension()).isEqualTo(0x20);
        assertThat(obus.get(2).headerSize()).isEqualTo(2);
        assertThat(obus.get(3).payloadSize()).isEqualTo(3);
        assertThat(tu.readerIndex()).isZero();
        assertThat(Av1Obus.hasSequenceHeader(obus)).isTrue();
    }

    @Test
    void leb128RoundTripsAndIsBounded() {
        Random r = new Random(3);
        for (int i = 0; i < 1000; i++) {
            long v = i < 10 ? (1L << (i * 3)) - 1 : r.nextLong(0, 1L << 32);
            ByteBuf b = Unpooled.buffer();
            Av1Obus.writeLeb128(b, v);
            assertThat(b.readableBytes()).isEqualTo(Av1Obus.leb128Size(v));
            long leb = Av1Obus.leb128(b, 0, b.writerIndex());
            assertThat(leb >>> 8).isEqualTo(v);
            assertThat(leb & 0xFF).isEqualTo(b.readableBytes());
        }
        assertThatThrownBy(() -> Av1Obus.leb128(hex("ffffffff7f"), 0, 5)).isInstanceOf(MediaFormatException.class)
                .hasMessageContaining("2^32-1");
    }

    @Test
    void aSequenceHeaderGoesRightAfterTheTemporalDelimiterOfAKeyframeThatLacksOne() {
        byte[] seq = Av1Obus.sequenceHeaderObu(hex("2a00 08aabb")); // metadata, sequence header without obu_size
        assertThat(ByteBufUtil.hexDump(seq)).isEqualTo("0a02aabb");
        ByteBuf key = hex("1200 3201cc");
        ByteBuf fixed = Av1Obus.withSequenceHeader(ByteBufAllocator.DEFAULT, key, seq);
        assertThat(ByteBufUtil.hexDump(fixed)).isEqualTo("1200" + "0a02aabb" + "3201cc");
        fixed.release();
        ByteBuf noTd = Av1Obus.withSequenceHeader(ByteBufAllocator.DEFAULT, hex("3201cc"), seq);
        assertThat(ByteBufUtil.hexDump(noTd)).isEqualTo("0a02aabb3201cc");
        noTd.release();
        assertThat(Av1Obus.withSequenceHeader(ByteBufAllocator.DEFAULT, hex("0a02aabb3201cc"), seq)).isNull();
        assertThat(Av1Obus.sequenceHeaderObu(hex("3201cc"))).isNull();
    }

    @Test
    void garbageGivesMediaFormatExceptionOnly() {
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = new byte[r.nextInt(64)];
            r.nextBytes(g);
            try {
                for (Av1Obus.Obu o : Av1Obus.split(Unpooled.wrappedBuffer(g))) {
                    assertThat(o.payloadOffset() + o.payloadSize()).isLessThanOrEqualTo(g.length);
                }
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).contains("AV1");
            }
        }
    }
}
