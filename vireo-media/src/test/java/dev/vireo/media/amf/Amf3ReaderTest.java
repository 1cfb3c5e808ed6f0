package dev.vireo.media.amf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf3ReaderTest {

    private static Object read(String hex) {
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
        Object v = Amf3Reader.read(in);
        assertThat(in.isReadable()).as("all bytes consumed").isFalse();
        return v;
    }

    @Test
    void scalars() {
        assertThat(read("00")).isNull();
        assertThat(read("01")).isNull();
        assertThat(read("02")).isEqualTo(false);
        assertThat(read("03")).isEqualTo(true);
        assertThat(read("05 400921fb54442d18")).isEqualTo(Math.PI);
        assertThat(read("08 01 0000000000000000")).isEqualTo(Instant.EPOCH);
        assertThat(read("06 07 616263")).isEqualTo("abc");
        assertThat(read("06 01")).isEqualTo("");
    }

    @Test
    void u29IntegersIncludingSignAndFourByteForm() {
        assertThat(read("04 7f")).isEqualTo(127.0);
        assertThat(read("04 81 00")).isEqualTo(128.0);
        assertThat(read("04 ff ff 7f")).isEqualTo(2097151.0);
        assertThat(read("04 80 c0 80 00")).isEqualTo(2097152.0);
        assertThat(read("04 bf ff ff ff")).isEqualTo(268435455.0);
        assertThat(read("04 ff ff ff ff")).isEqualTo(-1.0);
        assertThat(read("04 c0 80 80 00")).isEqualTo(-268435456.0);
    }

    @Test
    void stringReferences() {
        // dense array ["ab", "ab"(ref 0)]
        assertThat(read("09 05 01 06 05 6162 06 00")).isEqualTo(List.of("ab", "ab"));
        assertThatThrownBy(() -> read("09 03 01 06 02")).isInstanceOf(AmfException.class)
                .hasMessageContaining("string reference 1 out of range");
    }

    @Test
    void mixedArrayBecomesMap() {
        // assoc {k: true}, dense [null]
        Object v = read("09 03 03 6b 03 01 01");
        assertThat(v).isInstanceOf(Map.class).isEqualTo(expectedMixed());
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("k", "0");
    }

    private static Map<String, Object> expectedMixed() {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("k", true);
        m.put("0", null);
        return m;
    }

    @Test
    void sealedAndDynamicObjectsWithTraitsReference() {
        // dense array of two objects of class "Foo" with sealed member x; second uses traits ref 0
        Object v = read("09 05 01"
                + "0a 13 07 466f6f 03 78 04 05"
                + "0a 01 04 06");
        assertThat(v).isEqualTo(List.of(Map.of("x", 5.0), Map.of("x", 6.0)));
        // dynamic anonymous object {a: "b"}
        assertThat(read("0a 0b 01 03 61 06 03 62 01")).isEqualTo(Map.of("a", "b"));
    }

    @Test
    void rejectsObjectReferencesExternalizableAndByteArrays() {
        assertThatThrownBy(() -> read("0a 00")).isInstanceOf(AmfException.class).hasMessageContaining("references");
        assertThatThrownBy(() -> read("09 00")).isInstanceOf(AmfException.class).hasMessageContaining("references");
        assertThatThrownBy(() -> read("0a 07 01")).isInstanceOf(AmfException.class).hasMessageContaining("externalizable");
        assertThatThrownBy(() -> read("0a 05")).isInstanceOf(AmfException.class).hasMessageContaining("traits reference");
        assertThatThrownBy(() -> read("0c 03 00")).isInstanceOf(AmfException.class).hasMessageContaining("ByteArray");
        assertThatThrownBy(() -> read("11 00")).isInstanceOf(AmfException.class).hasMessageContaining("0x11");
    }

    @Test
    void hugeDenseCountFailsFast() {
        assertThatThrownBy(() -> read("09 bf ff ff ff 01")).isInstanceOf(AmfException.class)
                .hasMessageContaining("limit 4096");
        assertThatThrownBy(() -> read("0a bf ff ff f3 01")).isInstanceOf(AmfException.class)
                .hasMessageContaining("limit 4096");
    }
}
