package dev.vireo.http.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The master playlist's CODECS come from the streams' sequence headers, which the stream hands out
 * retained: reading them must give every reference back (CI's paranoid leak detector once caught
 * each {@code master.m3u8} keeping the source's and its renditions' headers, with the FLV tags
 * cached on them, forever).
 */
class MasterEndpointTest {

    private final EventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamKey key = StreamKey.of("live", "master");

    @AfterEach
    void tearDown() {
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void theCodecsOfAStreamAreReadFromItsSequenceHeadersWhichAreGivenBack() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        MediaFrame video = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(SegmenterTest.AVCC));
        MediaFrame audio = MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(SegmenterTest.ASC));
        try {
            pub.send(video.retain()); // ours stays: 2 references, the stream's and ours
            pub.send(audio.retain());
            Stream stream = hub.find(key).orElseThrow();
            assertThat(video.refCnt()).isEqualTo(2);

            for (int i = 0; i < 3; i++) {
                assertThat(MasterEndpoint.codecs(stream)).isEqualTo("avc1.42c00a,mp4a.40.2");
            }

            assertThat(video.refCnt()).as("the video header's references after reading it").isEqualTo(2);
            assertThat(audio.refCnt()).as("the audio header's references after reading it").isEqualTo(2);
        } finally {
            pub.close();
            video.release();
            audio.release();
        }
    }

    @Test
    void aSequenceHeaderThatCannotBeReadIsGivenBackToo() throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        MediaFrame video = MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 2}));
        MediaFrame audio = MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(SegmenterTest.ASC));
        try {
            pub.send(video.retain());
            pub.send(audio.retain());

            assertThat(MasterEndpoint.codecs(hub.find(key).orElseThrow())).isNull();

            assertThat(video.refCnt()).isEqualTo(2);
            assertThat(audio.refCnt()).isEqualTo(2);
        } finally {
            pub.close();
            video.release();
            audio.release();
        }
    }
}
