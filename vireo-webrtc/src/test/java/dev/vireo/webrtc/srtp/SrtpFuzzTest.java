package dev.vireo.webrtc.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random bytes and mutated packets: unprotect throws only {@link SrtpException}. */
class SrtpFuzzTest {

    @Test
    void randomAndMutatedPackets() {
        Random rnd = new Random(3711);
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpContext tx = SrtpContextTest.ctx(p);
            SrtpContext rx = SrtpContextTest.ctx(p);
            for (int i = 0; i < 5_000; i++) {
                byte[] b;
                if (rnd.nextBoolean()) {
                    b = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(b);
                    if (b.length > 0 && rnd.nextBoolean()) {
                        b[0] = (byte) (0x80 | b[0] & 0x3F);
                    }
                } else {
                    io.netty.buffer.ByteBuf w = Unpooled.buffer();
                    if (rnd.nextBoolean()) {
                        w.writeBytes(SrtpContextTest.rtp(i, 1, rnd.nextInt(100), rnd));
                        tx.protectRtp(w);
                    } else {
                        w.writeBytes(SrtpContextTest.rtcp(1, 4 * rnd.nextInt(20), rnd));
                        tx.protectRtcp(w);
                    }
                    b = SrtpVectorsTest.bytes(w);
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    if (rnd.nextInt(4) == 0) {
                        b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                    }
                }
                try {
                    if (rnd.nextBoolean()) {
                        rx.unprotectRtp(Unpooled.wrappedBuffer(b));
                    } else {
                        rx.unprotectRtcp(Unpooled.wrappedBuffer(b));
                    }
                } catch (SrtpException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        }
    }
}
