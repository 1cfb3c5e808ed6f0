package dev.vireo.media.opus;

import dev.vireo.media.MediaFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Opus packets of an Ogg Opus file (RFC 3533 pages and lacing, RFC 7845): the first packet
 * is the identification header (OpusHead, the payload of an enhanced RTMP Opus SequenceStart),
 * the second the comment header (OpusTags), the rest are audio packets. ffmpeg cannot put Opus in
 * FLV, so tests and the benchmark make Opus with ffmpeg into Ogg and publish the packets read
 * here. Single logical stream only; CRCs are not checked (the files are our own).
 *
 * @param head    the OpusHead packet
 * @param packets the audio packets in order
 */
public record OggOpusFile(byte[] head, List<byte[]> packets) {

    /** Largest file accepted: a few minutes of audio. */
    static final int MAX_SIZE = 64 << 20;
    private static final int PAGE_HEADER = 27;

    public OggOpusFile {
        packets = List.copyOf(packets);
    }

    /** @throws MediaFormatException when {@code b} is not an Ogg Opus file */
    public static OggOpusFile parse(byte[] b) {
        if (b.length > MAX_SIZE) {
            throw new MediaFormatException("Ogg file larger than " + MAX_SIZE + " bytes");
        }
        List<byte[]> all = new ArrayList<>();
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        int pos = 0;
        while (pos + PAGE_HEADER <= b.length) {
            if (!new String(b, pos, 4, StandardCharsets.US_ASCII).equals("OggS")) {
                throw new MediaFormatException("no Ogg page at offset " + pos);
            }
            int segments = b[pos + 26] & 0xff;
            int data = pos + PAGE_HEADER + segments;
            if (data > b.length) {
                throw new MediaFormatException("truncated Ogg page at offset " + pos);
            }
            for (int i = 0; i < segments; i++) {
                int lace = b[pos + PAGE_HEADER + i] & 0xff;
                if (data + lace > b.length) {
                    throw new MediaFormatException("truncated Ogg page at offset " + pos);
                }
                packet.write(b, data, lace);
                data += lace;
                // RFC 3533 §6: a lacing value below 255 ends the packet
                if (lace < 255) {
                    all.add(packet.toByteArray());
                    packet.reset();
                }
            }
            pos = data;
        }
        if (all.size() < 3 || all.get(0).length < OpusHead.MAGIC.length
                || !new String(all.get(0), 0, OpusHead.MAGIC.length, StandardCharsets.US_ASCII).equals("OpusHead")) {
            throw new MediaFormatException("not an Ogg Opus file");
        }
        return new OggOpusFile(all.get(0), all.subList(2, all.size()));
    }
}
