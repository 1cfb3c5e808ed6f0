package dev.vireo.transcode.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.flv.FlvTagEncoding;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What ffmpeg's stdin gets. Over FLV it is the frame's shared FLV tag ({@link MediaFrame#encoded}):
 * it belongs to the frame, so it goes when the frame's last reference does, whether the write
 * succeeded or not; the job's source configurations are given back when the job ends.
 */
class PipeInputTest {

    private static MediaFrame keyframe() {
        return MediaFrame.media(Codec.H264, 1000, 40, true, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0x65}));
    }

    @Test
    void theFlvTagIsTheFramesWithItsTimeRewrittenAndGoesWithTheFrame() throws IOException {
        MediaFrame frame = keyframe();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new PipeInput.Flv(false, true).write(frame, 0x01020304L, out);

        ByteBuf tag = frame.encoded(FlvTagEncoding.INSTANCE);
        byte[] written = out.toByteArray();
        assertThat(written).hasSize(tag.readableBytes());
        assertThat(written[4]).isEqualTo((byte) 0x02); // Timestamp (24 bits), then TimestampExtended
        assertThat(written[7]).isEqualTo((byte) 0x01);
        assertThat(tag.refCnt()).isEqualTo(1);
        frame.release();
        assertThat(tag.refCnt()).as("the tag after the frame's last release").isZero();
    }

    @Test
    void aWriteThatFailsLeavesTheTagToTheFrame() {
        MediaFrame frame = keyframe();
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };

        assertThatThrownBy(() -> new PipeInput.Flv(false, true).write(frame, 0, closedPipe)).isInstanceOf(IOException.class);

        ByteBuf tag = frame.encoded(FlvTagEncoding.INSTANCE);
        frame.release();
        assertThat(tag.refCnt()).isZero();
        assertThat(frame.payload().refCnt()).isZero();
    }

    @Test
    void theJobsSourceConfigurationsAreGivenBackAndNotTakenAfterItEnded() {
        SourceConfigs configs = new SourceConfigs();
        MediaFrame video = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        configs.remember(video);
        List<MediaFrame> current = configs.current();
        assertThat(video.refCnt()).isEqualTo(3); // ours, the configs', the list's
        current.forEach(MediaFrame::release);

        configs.release();
        configs.remember(video); // a writer thread still running after the job ended
        assertThat(configs.current()).isEmpty();

        assertThat(video.refCnt()).isEqualTo(1);
        video.release();
    }
}
