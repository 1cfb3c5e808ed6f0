package dev.vireo.webrtc.whep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.media.opus.OpusHead;
import dev.vireo.webrtc.sdp.MediaSource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a WHEP answer offers comes from the stream's sequence headers, which the stream hands out
 * retained: choosing must give every reference back, whatever the headers say.
 */
class StreamMediaTest {

    /** A real avcC (ffmpeg, Constrained Baseline 160x120). */
    private static final byte[] AVCC = HexFormat.of().parseHex(
            "0142c00affe100176742c00ad9047b0110000003001000000301e0f122648001000568cb83cb20");

    private final EventExecutor timer = new DefaultEventExecutor();
    private final StreamHub hub = new StreamHub(HubConfig.defaults(), timer);
    private final StreamKey key = StreamKey.of("live", "media");

    @AfterEach
    void tearDown() {
        hub.close();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void choosingReadsTheSequenceHeadersAndGivesThemBack() throws Exception {
        ByteBuf head = Unpooled.buffer(19);
        new OpusHead(1, 312, 48_000, 0, 0).write(head);
        assertChoice(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC)),
                MediaFrame.config(Codec.OPUS, 0, head), new MediaSource.Opus(1));
    }

    @Test
    void headersThatCannotBeReadAreGivenBackToo() throws Exception {
        assertChoice(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 2})),
                MediaFrame.config(Codec.OPUS, 0, Unpooled.wrappedBuffer(new byte[] {'O', 'p'})), new MediaSource.Opus(2));
    }

    @Test
    void anAudioTrackWebRtcCannotCarryIsGivenBack() throws Exception {
        assertChoice(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC)),
                MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(new byte[] {0x12, 0x10})), null);
    }

    @Test
    void aBrowserVariantThatHasPutOutOnlyItsAudioYetIsAnsweredWithVideo() throws Exception {
        // an AAC source with video; its variant's job has published Opus, its H.264 is still to come
        StreamKey variant = StreamKey.of("live", "media@html5");
        Publication source = hub.publish(key, "p1", r -> { });
        Publication job = hub.publishDerived(variant, "job", r -> { });
        try {
            source.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVCC)));
            source.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(new byte[] {0x12, 0x10})));
            ByteBuf head = Unpooled.buffer(19);
            new OpusHead(2, 312, 48_000, 0, 0).write(head);
            job.send(MediaFrame.config(Codec.OPUS, 0, head));
            StreamMedia media = new StreamMedia(hub);
            media.browserVariant((r, s) -> s.key().equals(key) ? java.util.Optional.of(variant) : java.util.Optional.empty());

            StreamMedia.Choice choice = media.choose(null, key);
            assertThat(choice.key()).isEqualTo(variant);
            assertThat(choice.video()).as("the variant's H.264 to come").isNotNull();
            assertThat(choice.audio()).isEqualTo(new MediaSource.Opus(2));
        } finally {
            job.close();
            source.close();
        }
    }

    @Test
    void anH265SourceWhoseVariantIsNotOutYetIsAnsweredWithTheVariantsH264() throws Exception {
        // HEVC over SRT or enhanced RTMP: its browser variant re-encodes the video; before the job has
        // published (the first viewer starts it, or eager start is still waiting for frames) the
        // answer is the variant's H.264, not the source's H.265, which WHEP cannot carry
        StreamKey variant = StreamKey.of("live", "media@html5");
        Publication source = hub.publish(key, "p1", r -> { });
        try {
            source.send(MediaFrame.config(Codec.H265, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
            source.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(new byte[] {0x12, 0x10})));
            StreamMedia media = new StreamMedia(hub);
            media.browserVariant((r, s) -> s.key().equals(key) ? java.util.Optional.of(variant) : java.util.Optional.empty());

            StreamMedia.Choice choice = media.choose(null, key);
            assertThat(choice.key()).isEqualTo(variant);
            assertThat(choice.video()).as("the variant's H.264 to come").isInstanceOf(MediaSource.H264.class);
            assertThat(choice.audio()).isEqualTo(new MediaSource.Opus(2));
        } finally {
            source.close();
        }
    }

    private void assertChoice(MediaFrame video, MediaFrame audio, MediaSource expectedAudio) throws Exception {
        Publication pub = hub.publish(key, "p1", r -> { });
        try {
            pub.send(video.retain()); // ours stays: 2 references, the stream's and ours
            pub.send(audio.retain());
            StreamMedia media = new StreamMedia(hub);

            for (int i = 0; i < 3; i++) {
                StreamMedia.Choice choice = media.choose(null, key);
                assertThat(choice.key()).isEqualTo(key);
                assertThat(choice.video()).isNotNull();
                assertThat(choice.audio()).isEqualTo(expectedAudio);
            }

            assertThat(video.refCnt()).as("the video header's references after choosing").isEqualTo(2);
            assertThat(audio.refCnt()).as("the audio header's references after choosing").isEqualTo(2);
        } finally {
            pub.close();
            video.release();
            audio.release();
        }
    }
}
