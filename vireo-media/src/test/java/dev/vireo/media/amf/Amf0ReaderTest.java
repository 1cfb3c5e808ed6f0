package dev.vireo.media.amf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0ReaderTest {

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    private static String utf8Hex(String s) {
        return ByteBufUtil.hexDump(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void readsAConnectCommandAsSentByLibrtmp() {
        // "connect", 1.0, {app:"live", flashVer:"FMLE/3.0", fpad:false, capabilities:15.0}
        String bytes = "02 0007" + utf8Hex("connect")
                + "00 3ff0000000000000"
                + "03"
                + "0003" + utf8Hex("app") + "02 0004" + utf8Hex("live")
                + "0008" + utf8Hex("flashVer") + "02 0008" + utf8Hex("FMLE/3.0")
                + "0004" + utf8Hex("fpad") + "01 00"
                + "000c" + utf8Hex("capabilities") + "00 402e000000000000"
                + "0000 09"
                + "05";
        ByteBuf in = hex(bytes);
        List<Object> values = Amf0Reader.readAll(in);
        assertThat(values).hasSize(4);
        assertThat(values.get(0)).isEqualTo("connect");
        assertThat(values.get(1)).isEqualTo(1.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> cmd = (Map<String, Object>) values.get(2);
        assertThat(cmd).containsExactly(
                Map.entry("app", "live"), Map.entry("flashVer", "FMLE/3.0"),
                Map.entry("fpad", false), Map.entry("capabilities", 15.0));
        assertThat(values.get(3)).isNull();
        assertThat(in.isReadable()).isFalse();
    }

    @Test
    void readsEcmaArrayStrictArrayDateUndefinedTypedObjectAndLongString() {
        String bytes = "08 00000001" + "0005" + utf8Hex("width") + "00 4074000000000000" + "0000 09"
                + "0a 00000002 00 4000000000000000 06"
                + "0b 0000000000000000 0000"
                + "10 0003" + utf8Hex("Foo") + "0001" + utf8Hex("x") + "01 01" + "0000 09"
                + "0c 00000002" + utf8Hex("hi")
                + "0d";
        List<Object> values = Amf0Reader.readAll(hex(bytes));
        assertThat(values.get(0)).isEqualTo(Map.of("width", 320.0));
        assertThat(values.get(1)).isEqualTo(Arrays.asList(2.0, null));
        assertThat(values.get(2)).isEqualTo(Instant.EPOCH);
        assertThat(values.get(3)).isEqualTo(Map.of("x", true));
        assertThat(values.get(4)).isEqualTo("hi");
        assertThat(values.get(5)).isNull();
    }

    @Test
    void toleratesEcmaArrayWithoutEndMarkerAtEndOfMessage() {
        String bytes = "08 00000001" + "0001" + utf8Hex("a") + "00 3ff0000000000000";
        assertThat(Amf0Reader.read(hex(bytes))).isEqualTo(Map.of("a", 1.0));
    }

    @Test
    void objectWithoutEndMarkerIsTruncated() {
        String bytes = "03" + "0001" + utf8Hex("a") + "00 3ff0000000000000";
        assertThatThrownBy(() -> Amf0Reader.read(hex(bytes)))
                .isInstanceOf(AmfException.class).hasMessageContaining("truncated");
    }

    @Test
    void avmplusMarkerSwitchesToAmf3() {
        // 0x11 then AMF3 dynamic anonymous object {a: 1 (integer)}
        assertThat(Amf0Reader.read(hex("11 0a 0b 01 03 61 04 01 01"))).isEqualTo(Map.of("a", 1.0));
    }

    @Test
    void rejectsReferencesReservedAndUnknownMarkersAndStrayObjectEnd() {
        assertThatThrownBy(() -> Amf0Reader.read(hex("07 0000"))).isInstanceOf(AmfException.class)
                .hasMessageContaining("references");
        assertThatThrownBy(() -> Amf0Reader.read(hex("04"))).isInstanceOf(AmfException.class)
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> Amf0Reader.read(hex("12"))).isInstanceOf(AmfException.class)
                .hasMessageContaining("unknown");
        assertThatThrownBy(() -> Amf0Reader.read(hex("09"))).isInstanceOf(AmfException.class)
                .hasMessageContaining("object-end");
        assertThatThrownBy(() -> Amf0Reader.read(hex(""))).isInstanceOf(AmfException.class);
    }

    @Test
    void strictArrayClaimingTwoBillionEntriesFailsFast() {
        assertThatThrownBy(() -> Amf0Reader.read(hex("0a 7fffffff 05 05 05")))
                .isInstanceOf(AmfException.class).hasMessageContaining("limit 4096");
        // within the entry limit but more than the bytes present
        assertThatThrownBy(() -> Amf0Reader.read(hex("0a 00000fff 05 05 05")))
                .isInstanceOf(AmfException.class).hasMessageContaining("bytes remain");
    }

    @Test
    void ecmaArrayCountHintAboveLimitIsRejected() {
        assertThatThrownBy(() -> Amf0Reader.read(hex("08 ffffffff 0000 09")))
                .isInstanceOf(AmfException.class).hasMessageContaining("limit");
    }

    @Test
    void longStringLengthBeyondBufferIsRejectedWithoutAllocating() {
        assertThatThrownBy(() -> Amf0Reader.read(hex("0c ffffffff 4142")))
                .isInstanceOf(AmfException.class).hasMessageContaining("truncated");
    }

    @Test
    void deepNestingIsRejected() {
        ByteBuf in = Unpooled.buffer();
        for (int i = 0; i < 40; i++) {
            in.writeByte(0x0a).writeInt(1);
        }
        in.writeByte(0x05);
        assertThatThrownBy(() -> Amf0Reader.read(in)).isInstanceOf(AmfException.class)
                .hasMessageContaining("nesting");
        ByteBuf ok = Unpooled.buffer();
        for (int i = 0; i < 32; i++) {
            ok.writeByte(0x0a).writeInt(1);
        }
        ok.writeByte(0x05);
        assertThat(Amf0Reader.read(ok)).isInstanceOf(List.class);
    }

    @Test
    void tooManyObjectEntriesAreRejected() {
        ByteBuf in = Unpooled.buffer().writeByte(0x03);
        for (int i = 0; i <= AmfInput.MAX_ENTRIES; i++) {
            String k = "k" + i;
            in.writeShort(k.length()).writeBytes(k.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            in.writeByte(0x05);
        }
        in.writeShort(0).writeByte(0x09);
        assertThatThrownBy(() -> Amf0Reader.read(in)).isInstanceOf(AmfException.class)
                .hasMessageContaining("more than 4096");
    }

    @Test
    void totalValueCountIsBounded() {
        // 20 strict arrays of 4000 nulls each: every array is within limits, the sum is not
        ByteBuf in = Unpooled.buffer().writeByte(0x0a).writeInt(20);
        for (int i = 0; i < 20; i++) {
            in.writeByte(0x0a).writeInt(4000);
            for (int j = 0; j < 4000; j++) {
                in.writeByte(0x05);
            }
        }
        assertThatThrownBy(() -> Amf0Reader.read(in)).isInstanceOf(AmfException.class)
                .hasMessageContaining("65536");
    }

    @Test
    void writerRoundTrip() {
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("level", "status");
        obj.put("code", "NetStream.Publish.Start");
        obj.put("n", 3);
        obj.put("nested", List.of(1.5, "x", Map.of("z", false)));
        obj.put("nothing", null);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("width", 1920.0);
        meta.put("framerate", 30.0);
        String big = "é".repeat(40_000); // 80000 UTF-8 bytes: a long string
        ByteBuf out = Unpooled.buffer();
        Amf0Writer.writeAll(out, "onStatus", 0, null, obj, new AmfEcmaArray(meta), big,
                Instant.ofEpochMilli(1_700_000_000_123L), true);
        assertThat(out.getByte(out.readerIndex())).isEqualTo((byte) 0x02);
        List<Object> back = Amf0Reader.readAll(out);
        List<Object> expected = new ArrayList<>(Arrays.asList("onStatus", 0.0, null));
        Map<String, Object> objBack = new LinkedHashMap<>(obj);
        objBack.put("n", 3.0);
        expected.add(objBack);
        expected.add(meta);
        expected.add(big);
        expected.add(Instant.ofEpochMilli(1_700_000_000_123L));
        expected.add(true);
        assertThat(back).isEqualTo(expected);
        out.release();
    }

    @Test
    void writerUsesLongStringMarkerOnlyAbove65535Bytes() {
        ByteBuf a = Unpooled.buffer();
        Amf0Writer.write(a, "a".repeat(65535));
        assertThat(a.getByte(0)).isEqualTo((byte) 0x02);
        ByteBuf b = Unpooled.buffer();
        Amf0Writer.write(b, "a".repeat(65536));
        assertThat(b.getByte(0)).isEqualTo((byte) 0x0c);
        assertThat(b.getInt(1)).isEqualTo(65536);
        assertThat(Amf0Reader.read(b)).isEqualTo("a".repeat(65536));
        a.release();
        b.release();
    }

    @Test
    void writerWritesEcmaArrayBytesExactly() {
        ByteBuf out = Unpooled.buffer();
        Amf0Writer.write(out, new AmfEcmaArray(Map.of("a", true)));
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("08000000010001610101000009");
        out.release();
    }

    @Test
    void writerRejectsUnknownTypes() {
        ByteBuf out = Unpooled.buffer();
        assertThatThrownBy(() -> Amf0Writer.write(out, new Object()))
                .isInstanceOf(IllegalArgumentException.class);
        out.release();
    }
}
