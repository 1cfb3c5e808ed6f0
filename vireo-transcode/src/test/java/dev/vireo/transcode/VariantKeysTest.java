package dev.vireo.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.media.aac.AudioSpecificConfig;
import dev.vireo.transcode.html5.Html5Variant;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a stream needs its @html5 or @aac variant, from what the hub saw of it. */
class VariantKeysTest {

    private final EventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamKey key = StreamKey.of("live", "demo");

    @AfterEach
    void tearDown() {
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void av1GoesToBrowsersAsItIsEvenWithAac() throws Exception {
        Publication p = hub.publish(key, "p", r -> { });
        p.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(AudioSpecificConfig.of(2, 4, 2))));
        p.send(MediaFrame.media(Codec.AAC, 0, 0, false, Unpooled.buffer(8).writeZero(8)));
        p.send(MediaFrame.media(Codec.AV1, 0, 0, true, Unpooled.wrappedBuffer(new byte[] {0x12, 0x00, 0x32, 0x01, 0x00})));
        assertThat(Html5Variant.keyFor(hub.find(key).orElseThrow())).isEmpty();
    }

    private Stream publish(Codec audio, boolean bFrames) throws Exception {
        Publication p = hub.publish(key, "p", r -> { });
        if (audio == Codec.AAC) {
            p.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(AudioSpecificConfig.of(2, 4, 2))));
        }
        p.send(MediaFrame.media(audio, 0, 0, false, Unpooled.buffer(8).writeZero(8)));
        // decode order I P B: the B is presented before the P
        p.send(MediaFrame.media(Codec.H264, 0, 0, true, Unpooled.buffer(8).writeZero(8)));
        p.send(MediaFrame.media(Codec.H264, 33, bFrames ? 66 : 0, false, Unpooled.buffer(8).writeZero(8)));
        p.send(MediaFrame.media(Codec.H264, 66, 0, false, Unpooled.buffer(8).writeZero(8)));
        return hub.find(key).orElseThrow();
    }

    @Test
    void aacNeedsTheBrowserVariant() throws Exception {
        Stream s = publish(Codec.AAC, false);
        assertThat(Html5Variant.keyFor(s)).contains(StreamKey.of("live", "demo@html5"));
        assertThat(AacVariant.keyFor(s)).isEmpty();
    }

    @Test
    void bFramesNeedTheBrowserVariant() throws Exception {
        Stream s = publish(Codec.OPUS, true);
        assertThat(Html5Variant.keyFor(s)).contains(StreamKey.of("live", "demo@html5"));
        assertThat(AacVariant.keyFor(s)).contains(StreamKey.of("live", "demo@aac"));
    }

    @Test
    void opusWithoutBFramesGoesToBrowsersAsItIs() throws Exception {
        Stream s = publish(Codec.OPUS, false);
        assertThat(Html5Variant.keyFor(s)).isEmpty();
        assertThat(AacVariant.keyFor(s)).contains(StreamKey.of("live", "demo@aac"));
    }
}
