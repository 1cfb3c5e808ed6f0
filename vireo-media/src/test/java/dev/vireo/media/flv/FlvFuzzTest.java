package dev.vireo.media.flv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.Vectors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and mutated bodies and files: only MediaFormatException (FlvException and
 *  UnsupportedCodecException) may escape. */
class FlvFuzzTest {

    private static final byte[][] SEEDS = {
        hexBytes("1701000028 00000002 65aa"),
        hexBytes("91 68766331 000021 00000002 26aa"),
        hexBytes("97 02 07a120 01 68766331 000000 abcd"),
        hexBytes("96 11 61763031 02 000002 aaaa 00 000001 bb"),
        hexBytes("96 20 61763031 00 000001 dd 68766331 01 000001 ee"),
        hexBytes("af 01 2110"),
        hexBytes("95 11 4f707573 01 000001 aa 00 000001 bb"),
        hexBytes("d1 00"),
    };

    private static byte[] hexBytes(String hex) {
        ByteBuf b = Vectors.hex(hex);
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        return a;
    }

    private static void parseBody(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        try {
            FlvVideoPacket.parse(b);
        } catch (MediaFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            FlvAudioPacket.parse(b);
        } catch (MediaFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void randomAndMutatedBodies() {
        Random rnd = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[rnd.nextInt(24)];
                rnd.nextBytes(b);
            } else {
                b = SEEDS[rnd.nextInt(SEEDS.length)].clone();
                for (int f = 1 + rnd.nextInt(3); f > 0; f--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextInt(3) == 0) {
                    b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                }
            }
            parseBody(b);
        }
    }

    @Test
    void mutatedFiles() {
        byte[] file = Vectors.bytes("h264_aac.flv");
        Random rnd = new Random(5);
        int parsedAll = 0;
        for (int i = 0; i < 300; i++) {
            byte[] b = file.clone();
            for (int f = 1 + rnd.nextInt(8); f > 0; f--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            List<FlvTag> tags = new ArrayList<>();
            try {
                tags = FlvReader.readAll(Unpooled.wrappedBuffer(b));
                for (FlvTag t : tags) {
                    if (t.type() == FlvTag.VIDEO) {
                        FlvVideoPacket.parse(t.body());
                    } else if (t.type() == FlvTag.AUDIO) {
                        FlvAudioPacket.parse(t.body());
                    }
                }
                parsedAll++;
            } catch (MediaFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } finally {
                tags.forEach(ReferenceCountUtil::release);
            }
        }
        assertThat(parsedAll).as("some mutations only touch payload bytes").isPositive();
    }
}
