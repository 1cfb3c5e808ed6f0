package dev.vireo.bench.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vireo.core.testing.Peers;
import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvAudioPacket;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.opus.OggOpusFile;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void opusAudioReplacesAacWithEnhancedRtmpTagsEvery20Ms(@TempDir Path dir) throws Exception {
        SourceFile source = new SourceFile(600, 2);
        SourceClip aac = SourceClip.load(source.ensure(dir, Peers.ffmpeg()));
        OggOpusFile ogg = OggOpusFile.parse(Files.readAllBytes(source.ensureOpus(dir, Peers.ffmpeg())));
        SourceClip clip = aac.withOpusAudio(ogg);

        List<SourceClip.Tag> audioHeaders = clip.headers().stream().filter(t -> t.type() == FlvTag.AUDIO).toList();
        assertThat(audioHeaders).hasSize(1);
        FlvAudioPacket config = FlvAudioPacket.parse(Unpooled.wrappedBuffer(audioHeaders.getFirst().body()));
        assertThat(config.codec()).isEqualTo(Codec.OPUS);
        assertThat(config.kind()).isEqualTo(FlvPacketKind.CONFIG);

        List<SourceClip.Tag> audio = clip.media().stream().filter(t -> t.type() == FlvTag.AUDIO).toList();
        assertThat(audio).allMatch(t -> FlvAudioPacket.parse(Unpooled.wrappedBuffer(t.body())).codec() == Codec.OPUS);
        assertThat(audio.size()).isEqualTo((int) Math.ceil(clip.timeline().loopMs() / 20.0));
        assertThat(audio.get(1).timestamp() - audio.get(0).timestamp()).isEqualTo(20);
        // video untouched, and everything still in timestamp order
        assertThat(clip.media().stream().filter(SourceClip.Tag::codedVideo).count()).isEqualTo(60);
        for (int i = 1; i < clip.media().size(); i++) {
            assertThat(clip.media().get(i).timestamp()).isGreaterThanOrEqualTo(clip.media().get(i - 1).timestamp());
        }
        assertThat(clip.kbps()).isLessThan(aac.kbps() + 20).isGreaterThan(aac.kbps() - 20);
    }
}
