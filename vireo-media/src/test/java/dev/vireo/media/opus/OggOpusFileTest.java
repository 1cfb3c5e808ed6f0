package dev.vireo.media.opus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.media.MediaFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OggOpusFileTest {

    /** One Ogg page (RFC 3533 §6) holding {@code packets}, laced; header fields other than the lacing are zero. */
    private static byte[] page(byte[]... packets) {
        ByteArrayOutputStream lacing = new ByteArrayOutputStream();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            int n = p.length;
            while (n >= 255) {
                lacing.write(255);
                n -= 255;
            }
            lacing.write(n);
            data.writeBytes(p);
        }
        ByteArrayOutputStream page = new ByteArrayOutputStream();
        page.writeBytes("OggS".getBytes(StandardCharsets.US_ASCII));
        page.writeBytes(new byte[22]);
        page.write(lacing.size());
        page.writeBytes(lacing.toByteArray());
        page.writeBytes(data.toByteArray());
        return page.toByteArray();
    }

    private static byte[] head() {
        byte[] h = Arrays.copyOf("OpusHead".getBytes(StandardCharsets.US_ASCII), 19);
        h[8] = 1;
        h[9] = 2;
        return h;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void headTagsThenAudioPacketsIncludingOneLacedOverSeveralSegments() {
        byte[] big = new byte[600];
        Arrays.fill(big, (byte) 7);
        byte[] file = concat(page(head()), page("OpusTags".getBytes(StandardCharsets.US_ASCII)),
                page(new byte[] {(byte) 0xFC, 1, 2}, big, new byte[] {(byte) 0xFC}));
        OggOpusFile f = OggOpusFile.parse(file);
        assertThat(f.head()).isEqualTo(head());
        assertThat(f.packets()).hasSize(3);
        assertThat(f.packets().get(0)).containsExactly(0xFC, 1, 2);
        assertThat(f.packets().get(1)).isEqualTo(big);
        assertThat(f.packets().get(2)).containsExactly(0xFC);
    }

    @Test
    void notOggNotOpusAndTruncatedPagesAreRefused() {
        byte[] good = concat(page(head()), page(new byte[] {1}), page(new byte[] {2}));
        assertThatThrownBy(() -> OggOpusFile.parse("RIFF....".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(MediaFormatException.class);
        byte[] notOpus = concat(page("OpusHeaX".getBytes(StandardCharsets.US_ASCII)), page(new byte[] {1}), page(new byte[] {2}));
        assertThatThrownBy(() -> OggOpusFile.parse(notOpus)).isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> OggOpusFile.parse(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(MediaFormatException.class);
        byte[] corrupt = good.clone();
        corrupt[page(head()).length] = 'X';
        assertThatThrownBy(() -> OggOpusFile.parse(corrupt)).hasMessageContaining("no Ogg page");
    }
}
