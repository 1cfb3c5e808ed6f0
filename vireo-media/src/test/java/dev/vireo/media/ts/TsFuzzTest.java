package dev.vireo.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random bytes and randomly damaged real streams: the demuxer never throws, never leaks (the build
 * runs with paranoid leak detection, and every sample is released), and stays usable.
 */
class TsFuzzTest {

    private static final class Counting implements TsDemuxer.Listener {
        int samples;
        int problems;

        @Override
        public void onSample(TsSample sample) {
            samples++;
            sample.release();
        }

        @Override
        public void onProblem(String description) {
            assertThat(description).isNotBlank();
            problems++;
        }
    }

    /**
     * Paranoid leak detection records a stack trace on every access to a tracked buffer, which
     * makes thousands of damaged streams slow; the bulk runs on an untracked allocator, a share
     * of the rounds on the default (tracked) one.
     */
    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    private static void feed(byte[] bytes, Random rnd, Counting listener) {
        feed(bytes, rnd, listener, rnd.nextInt(8) == 0 ? ByteBufAllocator.DEFAULT : UNTRACKED);
    }

    private static void feed(byte[] bytes, Random rnd, Counting listener, ByteBufAllocator alloc) {
        ByteBuf acc = Unpooled.buffer();
        try (TsDemuxer d = new TsDemuxer(listener, alloc, 1 << 16)) {
            int i = 0;
            while (i < bytes.length) {
                int n = Math.min(bytes.length - i, 1 + rnd.nextInt(1000));
                acc.writeBytes(bytes, i, n);
                i += n;
                d.feed(acc);
                acc.discardReadBytes();
            }
            d.flush();
        }
    }

    @Test
    void randomBytes() {
        Random rnd = new Random(42);
        for (int round = 0; round < 100; round++) {
            byte[] b = new byte[rnd.nextInt(20_000)];
            rnd.nextBytes(b);
            // sprinkle sync bytes on the packet grid so that packets get parsed, not only skipped
            for (int i = 0; i < b.length; i += 188) {
                if (rnd.nextInt(4) != 0) {
                    b[i] = 0x47;
                }
            }
            feed(b, rnd, new Counting());
        }
    }

    @Test
    void mutatedRealStreams() {
        Random rnd = new Random(43);
        for (String name : new String[] {"h264_aac.ts", "hevc_opus.ts"}) {
            byte[] clean = TsDemuxerTest.resource(name);
            for (int round = 0; round < 60; round++) {
                byte[] b = clean.clone();
                int flips = 1 + rnd.nextInt(40);
                for (int k = 0; k < flips; k++) {
                    int at = rnd.nextInt(b.length);
                    b[at] = (byte) (rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(256));
                }
                Counting c = new Counting();
                feed(b, rnd, c);
                assertThat(c.samples + c.problems).isPositive();
            }
        }
    }

    @Test
    void truncatedStreams() {
        Random rnd = new Random(44);
        byte[] clean = TsDemuxerTest.resource("hevc_opus.ts");
        for (int round = 0; round < 30; round++) {
            int cut = rnd.nextInt(clean.length);
            feed(java.util.Arrays.copyOfRange(clean, rnd.nextInt(Math.max(1, cut)), cut), rnd, new Counting());
        }
    }
}
