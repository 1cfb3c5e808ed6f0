package dev.vireo.bench.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.bench.peers.JanusProcess;
import dev.vireo.bench.viewers.RtpProbe;
import dev.vireo.core.testing.Peers;
import dev.vireo.media.flv.FlvAudioPacket;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import dev.vireo.media.opus.OggOpusFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RtpClipSinkTest {

    private static final JanusProcess.RtpIngest INGEST = new JanusProcess.RtpIngest(
            new InetSocketAddress("127.0.0.1", 5004), 96, new InetSocketAddress("127.0.0.1", 5002), 111);

    @Test
    void aStampedKeyframeLeavesAsOneRtpFrameWhoseFirstPacketCarriesParameterSetsAndTheStamp(@TempDir Path dir)
            throws Exception {
        SourceFile source = new SourceFile(600, 2);
        SourceClip clip = SourceClip.load(source.ensure(dir, Peers.ffmpeg()))
                .withOpusAudio(OggOpusFile.parse(Files.readAllBytes(source.ensureOpus(dir, Peers.ffmpeg()))));
        assertThat(clip.h264ProfileLevelId()).matches("64[0-9a-f]{4}"); // High profile, as SourceFile encodes
        EmbeddedChannel ch = new EmbeddedChannel();
        RtpClipSink sink = new RtpClipSink(ch, INGEST);
        clip.headers().forEach(sink::header);
        assertThat(ch.outboundMessages()).isEmpty(); // configuration travels in-band with the keyframes

        SourceClip.Tag key = clip.media().stream().filter(SourceClip.Tag::codedVideo).findFirst().orElseThrow();
        int cts = FlvVideoPacket.parse(Unpooled.wrappedBuffer(key.body())).compositionTime();
        sink.media(key, 1000, WallclockSei.stamp(ByteBufAllocator.DEFAULT, key.body(), clip.nalLengthSize(), 0x1234_5678L));
        List<ByteBuf> packets = drain(ch, INGEST.video());
        assertThat(packets).hasSizeGreaterThan(1);
        int firstSeq = RtpProbe.sequence(packets.getFirst());
        for (int i = 0; i < packets.size(); i++) {
            ByteBuf p = packets.get(i);
            assertThat(RtpProbe.payloadType(p)).isEqualTo(96);
            assertThat(RtpProbe.sequence(p)).isEqualTo((firstSeq + i) & 0xFFFF);
            assertThat(p.getUnsignedInt(4)).isEqualTo((1000L + cts) * 90);
            assertThat(RtpProbe.marker(p)).isEqualTo(i == packets.size() - 1); // RFC 6184 §5.1
            assertThat(p.readableBytes()).isLessThanOrEqualTo(12 + 1200);
        }
        ByteBuf first = packets.getFirst();
        assertThat(first.getByte(12) & 0x1F).isEqualTo(24); // STAP-A: SPS, PPS, stamp
        assertThat(first.getByte(12 + 3) & 0x1F).isEqualTo(7);
        assertThat(RtpProbe.wallclockStamp(first, 12, first.readableBytes() - 12)).isEqualTo(0x1234_5678L);
        packets.forEach(ByteBuf::release);

        SourceClip.Tag opus = clip.media().stream().filter(t -> t.type() == FlvTag.AUDIO).findFirst().orElseThrow();
        sink.media(opus, 1020, Unpooled.wrappedBuffer(opus.body()));
        List<ByteBuf> audio = drain(ch, INGEST.audio());
        assertThat(audio).hasSize(1);
        ByteBuf a = audio.getFirst();
        assertThat(RtpProbe.payloadType(a)).isEqualTo(111);
        assertThat(a.getUnsignedInt(4)).isEqualTo(1020L * 48); // RFC 7587 §4.1: 48 kHz
        byte[] expected = ByteBufUtil.getBytes(FlvAudioPacket.parse(Unpooled.wrappedBuffer(opus.body())).payload());
        assertThat(ByteBufUtil.getBytes(a, 12, a.readableBytes() - 12)).isEqualTo(expected);
        a.release();
        ch.finishAndReleaseAll();
    }

    private static List<ByteBuf> drain(EmbeddedChannel ch, InetSocketAddress expectedTo) {
        List<ByteBuf> out = new ArrayList<>();
        DatagramPacket p;
        while ((p = ch.readOutbound()) != null) {
            assertThat(p.recipient()).isEqualTo(expectedTo);
            out.add(p.content());
        }
        return out;
    }
}
