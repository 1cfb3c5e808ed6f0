package dev.vireo.webrtc.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and mutated datagrams: only {@link StunException} escapes the parser. */
class StunFuzzTest {

    private static void parse(byte[] b) {
        try {
            StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(b));
            m.verifyIntegrity(StunMessageTest.PASSWORD);
            m.verifyFingerprint();
            m.unknownComprehensionRequired();
            StunBinding.check(m, "evtj", "VOkJxbRl1RmTxUk/WvJxBt");
        } catch (StunException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void randomBytes() {
        Random rnd = new Random(8489);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(120)];
            rnd.nextBytes(b);
            if (b.length >= 20 && rnd.nextBoolean()) {
                b[0] &= 0x01;
                b[2] = 0;
                b[3] = (byte) ((b.length - 20) & ~3);
                b[4] = 0x21;
                b[5] = 0x12;
                b[6] = (byte) 0xa4;
                b[7] = 0x42;
                b = Arrays.copyOf(b, 20 + (b[3] & 0xFF));
            }
            parse(b);
        }
    }

    @Test
    void mutatedVectors() {
        byte[][] seeds = {StunMessageTest.REQUEST, StunMessageTest.RESPONSE_V4, StunMessageTest.RESPONSE_V6};
        Random rnd = new Random(5769);
        for (int i = 0; i < 30_000; i++) {
            byte[] b = seeds[rnd.nextInt(seeds.length)].clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int pos = 20 + rnd.nextInt(b.length - 20);
                b[pos] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : b[pos] ^ (1 << rnd.nextInt(8)));
            }
            if (rnd.nextInt(5) == 0) {
                b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            parse(b);
        }
    }
}
