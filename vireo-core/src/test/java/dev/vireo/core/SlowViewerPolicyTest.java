package dev.vireo.core;

import static dev.vireo.core.SlowViewerPolicy.Decision.DELIVER;
import static dev.vireo.core.SlowViewerPolicy.Decision.DISCONNECT;
import static dev.vireo.core.SlowViewerPolicy.Decision.SKIP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlowViewerPolicyTest {

    private final MediaFrame key = MediaFrame.media(Codec.H264, 0, 0, true, Unpooled.buffer(1));
    private final MediaFrame delta = MediaFrame.media(Codec.H264, 0, 0, false, Unpooled.buffer(1));
    private final MediaFrame audio = MediaFrame.media(Codec.AAC, 0, 0, false, Unpooled.buffer(1));
    private final MediaFrame config = MediaFrame.config(Codec.H264, 0, Unpooled.buffer(1));

    @AfterEach
    void release() {
        key.release();
        delta.release();
        audio.release();
        config.release();
    }

    @Test
    void startsOnAKeyframe() {
        SlowViewerPolicy p = new SlowViewerPolicy(1_000);
        assertThat(p.decide(config, true, true, 0)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 0)).isEqualTo(SKIP);
        assertThat(p.decide(audio, true, true, 0)).isEqualTo(SKIP);
        assertThat(p.decide(key, true, true, 0)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 0)).isEqualTo(DELIVER);
        assertThat(p.decide(audio, true, true, 0)).isEqualTo(DELIVER);
    }

    @Test
    void audioOnlyStreamsStartAnywhere() {
        SlowViewerPolicy p = new SlowViewerPolicy(1_000);
        assertThat(p.decide(audio, true, false, 0)).isEqualTo(DELIVER);
    }

    @Test
    void aViewerThatStartedOnAudioGetsTheVideoFromItsFirstKeyframe() {
        // it came while the stream had no video yet (audio first): the video's delta frames before
        // its first keyframe have no reference (SlowViewerJazzerTest#viewers delivered them)
        SlowViewerPolicy p = new SlowViewerPolicy(1_000);
        assertThat(p.decide(audio, true, false, 0)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 10)).isEqualTo(SKIP);
        assertThat(p.decide(audio, true, true, 20)).isEqualTo(DELIVER); // the audio goes on meanwhile
        assertThat(p.decide(key, true, true, 30)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 40)).isEqualTo(DELIVER);
        // after a skip while blocked the video restarts at a keyframe again, as before
        assertThat(p.decide(audio, false, true, 50)).isEqualTo(SKIP);
        assertThat(p.decide(delta, true, true, 60)).isEqualTo(SKIP);
        assertThat(p.decide(key, true, true, 70)).isEqualTo(DELIVER);
    }

    @Test
    void videoTheViewerTurnedOffAndOnAgainStartsAtAKeyframe() {
        // RTMP receiveVideo(false) then (true) mid-stream: the frames in between were left out
        SlowViewerPolicy p = new SlowViewerPolicy(1_000);
        assertThat(p.decide(key, true, true, 0)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 10)).isEqualTo(DELIVER);
        p.videoLeftOut();
        assertThat(p.decide(audio, true, true, 20)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 30)).isEqualTo(SKIP);
        assertThat(p.decide(key, true, true, 40)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, true, true, 50)).isEqualTo(DELIVER);
    }

    @Test
    void blockedViewerSkipsToTheNextKeyframeThenIsDisconnectedPastTheBound() {
        SlowViewerPolicy p = new SlowViewerPolicy(1_000);
        p.decide(key, true, true, 0);
        assertThat(p.decide(delta, false, true, 10)).isEqualTo(SKIP);
        assertThat(p.blockedNanos(500)).isEqualTo(490);
        assertThat(p.decide(delta, true, true, 20)).isEqualTo(SKIP);
        assertThat(p.decide(key, true, true, 30)).isEqualTo(DELIVER);
        assertThat(p.skipEpisodes()).isEqualTo(1);
        assertThat(p.decide(delta, false, true, 100)).isEqualTo(SKIP);
        assertThat(p.decide(config, false, true, 200)).isEqualTo(DELIVER);
        assertThat(p.decide(delta, false, true, 1_101)).isEqualTo(DISCONNECT);
    }
}
