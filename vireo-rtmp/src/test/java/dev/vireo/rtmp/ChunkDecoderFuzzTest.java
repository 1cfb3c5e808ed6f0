package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated chunk streams: the decoder either decodes or throws
 * {@link RtmpProtocolException}, never anything else, never loops, and every buffer it allocated
 * is released once its output and its own state are released.
 */
class ChunkDecoderFuzzTest {

    /** Records every buffer it hands out, to check they all end at refCnt 0. */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    @Test
    void randomAndMutatedInputOnlyEverRaiseTheProtocolException() {
        Random random = new Random(20240601L);
        TrackingAllocator alloc = new TrackingAllocator();
        ChunkDecoder.Limits limits = new ChunkDecoder.Limits(1 << 20, 1 << 20, 64);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] input = i % 2 == 0 ? randomBytes(random) : mutatedValidStream(random);
            ChunkDecoder decoder = new ChunkDecoder(alloc, limits);
            List<Object> out = new ArrayList<>();
            // Accumulate the input in random-size pieces, as ByteToMessageDecoder does with TCP reads.
            ByteBuf cumulation = Unpooled.buffer();
            try {
                int at = 0;
                while (at < input.length) {
                    int n = 1 + random.nextInt(input.length - at);
                    cumulation.writeBytes(input, at, n);
                    at += n;
                    int before = cumulation.readableBytes();
                    decoder.decode(cumulation, out);
                    assertThat(cumulation.readableBytes()).isLessThanOrEqualTo(before);
                    cumulation.discardReadBytes();
                }
                decoded++;
            } catch (RtmpProtocolException e) {
                assertThat(e.getMessage()).isNotBlank();
                rejected++;
            } finally {
                cumulation.release();
                for (Object o : out) {
                    ((RtmpMessage) o).release();
                }
                decoder.release();
            }
        }
        assertThat(decoded).as("some inputs decode").isPositive();
        assertThat(rejected).as("some inputs are rejected").isPositive();
        assertThat(alloc.allocated).isNotEmpty().allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(600)];
        r.nextBytes(b);
        return b;
    }

    /** A valid stream of a few messages with random bytes flipped, dropped or inserted. */
    private static byte[] mutatedValidStream(Random r) {
        ByteBuf w = Unpooled.buffer();
        int messages = 1 + r.nextInt(5);
        for (int i = 0; i < messages; i++) {
            int len = r.nextInt(400);
            byte[] payload = new byte[len];
            r.nextBytes(payload);
            long ts = r.nextBoolean() ? r.nextInt(1000) : 0xFFFFFFL + r.nextInt(1000);
            int csid = 2 + r.nextInt(400);
            ChunkEncoder.writeChunks(w, csid, 1 + r.nextInt(22), ts, r.nextInt(3), Unpooled.wrappedBuffer(payload), 0,
                    len, 128);
        }
        byte[] b = new byte[w.readableBytes()];
        w.readBytes(b);
        w.release();
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(3)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b = java.util.Arrays.copyOf(b, at);
                default -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }
}
