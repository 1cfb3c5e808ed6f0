package dev.vireo.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MediaFrameTest {

    static final AtomicInteger CALLS = new AtomicInteger();

    static final FrameEncoding COUNTING = new FrameEncoding("counting") {
        @Override
        protected ByteBuf encode(MediaFrame frame) {
            CALLS.incrementAndGet();
            return Unpooled.buffer(4).writeInt(frame.payload().readableBytes());
        }
    };

    @Test
    void encodingIsComputedOnceAndReleasedWithTheFrame() {
        CALLS.set(0);
        ByteBuf payload = Unpooled.buffer(3).writeZero(3);
        MediaFrame f = MediaFrame.media(Codec.H264, 10, 5, true, payload);
        ByteBuf a = f.encoded(COUNTING);
        ByteBuf b = f.encoded(COUNTING);
        assertThat(a).isSameAs(b);
        assertThat(a.getInt(0)).isEqualTo(3);
        assertThat(CALLS).hasValue(1);
        assertThat(f.pts()).isEqualTo(15);
        f.release();
        assertThat(payload.refCnt()).isZero();
        assertThat(a.refCnt()).isZero();
    }
}
