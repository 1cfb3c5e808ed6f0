package dev.vireo.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.media.Codec;
import dev.vireo.media.aac.AdtsHeader;
import dev.vireo.media.aac.AudioSpecificConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ADTS frames cut across PES packets, as some muxers write them (ISO/IEC 13818-1 allows it). */
class AdtsAcrossPesTest {

    private static byte[] adts(int payloadLength, int fill) {
        ByteBuf b = Unpooled.buffer();
        AdtsHeader.write(b, 2, 3, 2, payloadLength); // AAC LC, 48 kHz, stereo
        for (int i = 0; i < payloadLength; i++) {
            b.writeByte(fill);
        }
        return TsMuxerTest.bytes(b);
    }

    /** One PES on the audio PID, cut into transport packets by hand. */
    private static void pes(ByteBuf out, int[] cc, long pts, byte[] payload) {
        ByteBuf p = Unpooled.buffer();
        p.writeMedium(1).writeByte(0xC0).writeShort(8 + payload.length);
        p.writeByte(0x80).writeByte(0x80).writeByte(5);
        p.writeByte(0x21 | (int) ((pts >>> 29) & 0x0E));
        p.writeShort((int) (((pts >>> 14) & 0xFFFE) | 1));
        p.writeShort((int) (((pts << 1) & 0xFFFE) | 1));
        p.writeBytes(payload);
        boolean first = true;
        while (p.isReadable()) {
            int n = Math.min(184, p.readableBytes());
            int stuffing = 184 - n;
            out.writeByte(0x47).writeShort((first ? 0x4000 : 0) | TsMuxer.AUDIO_PID);
            out.writeByte((stuffing > 0 ? 0x30 : 0x10) | (cc[0]++ & 0x0F));
            if (stuffing > 0) {
                out.writeByte(stuffing - 1);
                if (stuffing > 1) {
                    out.writeByte(0);
                    out.writeBytes(filled(stuffing - 2));
                }
            }
            out.writeBytes(p, n);
            first = false;
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0xFF);
        return b;
    }

    @Test
    void aFrameContinuedInTheNextPesKeepsItsOwnTime() {
        // PAT and PMT from the muxer (its first PES goes to the audio PID with continuity counter 0)
        TsMuxer mux = new TsMuxer(null, Codec.AAC);
        ByteBuf out = Unpooled.buffer();
        mux.write(TsSample.config(Codec.AAC, 0, Unpooled.wrappedBuffer(AudioSpecificConfig.of(2, 3, 2))), out);
        mux.write(TsSample.media(Codec.AAC, 90_000, 90_000, false, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})), out);
        int[] cc = {1};

        byte[] a = adts(100, 0xA1);
        byte[] b = adts(150, 0xB2);
        byte[] c = adts(120, 0xC3);
        long p1 = 100_000;
        byte[] pes1 = new byte[a.length + 50];
        System.arraycopy(a, 0, pes1, 0, a.length);
        System.arraycopy(b, 0, pes1, a.length, 50);
        byte[] pes2 = new byte[b.length - 50 + c.length];
        System.arraycopy(b, 50, pes2, 0, b.length - 50);
        System.arraycopy(c, 0, pes2, b.length - 50, c.length);
        long p2 = p1 + 2 * 1920; // 2 frames of 1024 samples at 48 kHz later
        pes(out, cc, p1, pes1);
        pes(out, cc, p2, pes2);
        pes(out, cc, p2 + 1920, adts(10, 0xD4)); // completes the previous PES for the demuxer

        TsDemuxerTest.Collector got = TsDemuxerTest.demux(TsMuxerTest.bytes(out), 5);
        assertThat(got.problems).isEmpty();
        List<TsDemuxerTest.Collector.Got> audio = got.media(Codec.AAC);
        assertThat(audio).hasSize(5);
        assertThat(audio.subList(1, 5)).extracting(TsDemuxerTest.Collector.Got::pts)
                .containsExactly(p1, p1 + 1920, p2, p2 + 1920);
        assertThat(audio.get(2).payload()).hasSize(150).containsOnly((byte) 0xB2);
        assertThat(audio.get(3).payload()).hasSize(120).containsOnly((byte) 0xC3);
    }
}
