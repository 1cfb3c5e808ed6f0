package dev.vireo.transcode.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InputQueueTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final List<MediaFrame> made = new ArrayList<>();

    private MediaFrame video(long dts, boolean key) {
        return track(MediaFrame.media(Codec.H264, dts, 0, key, Unpooled.buffer(100).writeZero(100)));
    }

    private MediaFrame audio(long dts) {
        return track(MediaFrame.media(Codec.AAC, dts, 0, false, Unpooled.buffer(10).writeZero(10)));
    }

    private MediaFrame config() {
        return track(MediaFrame.config(Codec.H264, 0, Unpooled.buffer(10).writeZero(10)));
    }

    private MediaFrame track(MediaFrame f) {
        made.add(f);
        return f;
    }

    /** What the queue holds, as "k0 v33 a40 c": taken out and released. */
    private static String drain(InputQueue q) throws InterruptedException {
        StringBuilder b = new StringBuilder();
        for (InputQueue.Entry e = q.poll(0); e != null; e = q.poll(0)) {
            MediaFrame f = e.frame();
            b.append(b.isEmpty() ? "" : " ").append(f.isConfig() ? "c" : f.isAudio() ? "a" + f.dts()
                    : (f.isKeyframe() ? "k" : "v") + f.dts());
            f.release();
        }
        return b.toString();
    }

    private void releaseAll() {
        for (MediaFrame f : made) {
            f.release(); // the test's own reference; the queue retained what it kept
        }
        made.clear();
    }

    @Test
    void aBacklogIsDroppedAndTheQueueResumesAtAKeyframe() throws Exception {
        InputQueue q = new InputQueue(1 << 20, 3000 * MS);
        q.offer(config(), 0, true);
        q.offer(video(0, true), 0, true);
        q.offer(audio(10), 10 * MS, true);
        q.offer(video(33, false), 33 * MS, true);
        // ffmpeg took nothing for more than 3 s: the next frame finds it behind
        assertThat(q.offer(video(3100, false), 3100 * MS, true)).isFalse();
        assertThat(q.offer(audio(3110), 3110 * MS, true)).isFalse();
        assertThat(q.offer(video(3200, true), 3200 * MS, true)).isTrue();
        q.offer(audio(3210), 3210 * MS, true);
        assertThat(drain(q)).isEqualTo("c k3200 a3210"); // configuration kept, the stale GOP gone
        assertThat(q.dropped()).isEqualTo(5);
        assertThat(q.overflows()).isEqualTo(1);
        releaseAll();
    }

    @Test
    void theByteBoundAlsoCountsAsBehind() throws Exception {
        InputQueue q = new InputQueue(250, 3000 * MS);
        q.offer(video(0, true), 0, true);
        q.offer(video(33, false), 0, true);
        assertThat(q.offer(video(66, true), 0, true)).isTrue(); // would exceed: backlog dropped, keyframe kept
        assertThat(drain(q)).isEqualTo("k66");
        releaseAll();
    }

    @Test
    void withoutVideoAnyAudioFrameResumes() throws Exception {
        InputQueue q = new InputQueue(1 << 20, 100 * MS);
        q.offer(audio(0), 0, false);
        assertThat(q.offer(audio(200), 200 * MS, false)).isTrue();
        assertThat(drain(q)).isEqualTo("a200");
        releaseAll();
    }

    @Test
    void aRestartSkipsToTheLatestKeyframe() throws Exception {
        InputQueue q = new InputQueue(1 << 20, 3000 * MS);
        q.offer(video(0, true), 0, true);
        q.offer(audio(10), 0, true);
        q.offer(config(), 0, true);
        q.offer(video(1000, true), 0, true);
        q.offer(audio(1010), 0, true);
        q.skipToLatestResumePoint(true);
        assertThat(drain(q)).isEqualTo("c k1000 a1010");
        releaseAll();
    }

    @Test
    void closeReleasesAndRefuses() throws Exception {
        InputQueue q = new InputQueue(1 << 20, 3000 * MS);
        MediaFrame f = video(0, true);
        q.offer(f, 0, true);
        assertThat(f.refCnt()).isEqualTo(2);
        q.close();
        assertThat(f.refCnt()).isEqualTo(1);
        assertThat(q.offer(video(33, true), 0, true)).isFalse();
        assertThat(q.poll(10)).isNull();
        releaseAll();
    }
}
