package dev.vireo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vireo.core.testing.Peers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceClipTest {

    @Test
    void ffmpegClipLoadsWithHeadersApartAndLoopsSeamlessly(@TempDir Path dir) throws Exception {
        SourceFile source = new SourceFile(600, 2);
        Path file = source.ensure(dir, Peers.ffmpeg());
        assertThat(source.ensure(dir, Peers.ffmpeg())).isEqualTo(file); // cached

        SourceClip clip = SourceClip.load(file);
        assertThat(clip.headers()).extracting(SourceClip.Tag::type).contains(18, 9, 8);
        assertThat(clip.nalLengthSize()).isEqualTo(4);
        assertThat(clip.videoFramesPerLoop()).isEqualTo(60);
        assertThat(clip.fps()).isCloseTo(30, within(1.0)); // the loop seam adds the audio overhang
        assertThat(clip.media()).allMatch(t -> t.type() != 9 || t.codedVideo());
        // the last tag of a loop goes out before the first of the next
        long lastMs = clip.media().stream().mapToLong(SourceClip.Tag::timestamp).max().orElseThrow();
        LoopTimeline t = clip.timeline();
        assertThat(t.outputMs(1, clip.media().getFirst().timestamp())).isGreaterThan(t.outputMs(0, lastMs));
    }
}
