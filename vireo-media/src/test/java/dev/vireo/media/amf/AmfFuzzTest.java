package dev.vireo.media.amf;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and mutated input: only {@link AmfException} may escape, and parsing terminates. */
class AmfFuzzTest {

    private static byte[] seedMessage() {
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("app", "live");
        obj.put("tcUrl", "rtmp://localhost/live");
        obj.put("list", List.of(1.0, "two", Map.of("three", true)));
        obj.put("when", Instant.ofEpochMilli(1234));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("width", 1280.0);
        meta.put("encoder", "Lavf59");
        ByteBuf out = Unpooled.buffer();
        Amf0Writer.writeAll(out, "connect", 1, obj, new AmfEcmaArray(meta), null);
        // an AMF3 value too
        out.writeBytes(new byte[] {0x11, 0x09, 0x05, 0x01, 0x06, 0x05, 0x61, 0x62, 0x06, 0x00,
            0x11, 0x0a, 0x13, 0x07, 0x46, 0x6f, 0x6f, 0x03, 0x78, 0x04, 0x05});
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }

    private static void parse(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            Amf0Reader.readAll(in);
        } catch (AmfException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        in.resetReaderIndex();
        try {
            Amf3Reader.read(in);
        } catch (AmfException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void randomBytes() {
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) {
                b[0] = (byte) rnd.nextInt(0x13); // a plausible marker
            }
            parse(b);
        }
    }

    @Test
    void mutatedValidMessages() {
        byte[] seed = seedMessage();
        assertThat(Amf0Reader.readAll(Unpooled.wrappedBuffer(seed))).hasSize(7);
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = seed.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int pos = rnd.nextInt(b.length);
                b[pos] = switch (rnd.nextInt(3)) {
                    case 0 -> (byte) rnd.nextInt(256);
                    case 1 -> (byte) 0xFF;
                    default -> (byte) (b[pos] ^ (1 << rnd.nextInt(8)));
                };
            }
            if (rnd.nextInt(4) == 0) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            parse(b);
        }
    }
}
