package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import dev.vireo.media.opus.OpusHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Opus in PES, as ffmpeg writes and reads it (the DVB mapping of Opus): each Opus packet is
 * preceded by an opus_control_header — 11 bits 0x3FF, start_trim_flag, end_trim_flag,
 * control_extension_flag, 2 reserved bits, au_size as a run of 0xFF bytes plus a final byte,
 * then the optional start trim, end trim and extension. A PES holds whole packets; the PES time
 * stamp belongs to the first, the next ones follow by the duration their TOC states.
 *
 * <p>The transport stream carries no OpusHead, so one is made (channels from the PMT's audio
 * descriptor, pre-skip from the first packet's start trim) and emitted before the first packet.
 */
final class OpusParser implements EsParser {

    private static final int CONTROL_PREFIX = 0x7FE0;

    private final int channels;
    private final ByteBufAllocator alloc;
    private final Consumer<TsSample> out;
    private final Consumer<String> onProblem;
    private boolean configSent;

    OpusParser(int channels, ByteBufAllocator alloc, Consumer<TsSample> out, Consumer<String> onProblem) {
        this.channels = channels;
        this.alloc = alloc;
        this.out = out;
        this.onProblem = onProblem;
    }

    @Override
    public void pes(ByteBuf payload, boolean hasPts, long pts, long dts) {
        if (!hasPts) {
            onProblem.accept("Opus PES without PTS dropped");
            return;
        }
        int i = payload.readerIndex();
        int end = payload.writerIndex();
        long t = pts;
        while (i < end) {
            if (end - i < 3) {
                onProblem.accept("truncated Opus control header dropped");
                return;
            }
            int header = payload.getUnsignedShort(i);
            if ((header & 0xFFE0) != CONTROL_PREFIX) {
                onProblem.accept("Opus PES without control header prefix; rest of the PES dropped");
                return;
            }
            i += 2;
            int size = 0;
            int b;
            do {
                if (i >= end) {
                    onProblem.accept("truncated Opus au_size dropped");
                    return;
                }
                b = payload.getUnsignedByte(i++);
                size += b;
            } while (b == 0xFF);
            int startTrim = 0;
            if ((header & 0x10) != 0) {
                if (end - i < 2) {
                    onProblem.accept("truncated Opus start trim dropped");
                    return;
                }
                startTrim = payload.getUnsignedShort(i);
                i += 2;
            }
            if ((header & 0x08) != 0) {
                i += 2; // end trim: the decoder's business at the end of a stream
            }
            if ((header & 0x04) != 0) {
                if (i >= end) {
                    onProblem.accept("truncated Opus control extension dropped");
                    return;
                }
                i += 1 + payload.getUnsignedByte(i);
            }
            if (size == 0 || i + size > end) {
                onProblem.accept("Opus packet of " + size + " bytes does not fit its PES; dropped");
                return;
            }
            int samples = OpusToc.samples(payload, i, size);
            if (samples <= 0) {
                onProblem.accept("Opus packet with an invalid TOC dropped");
                return;
            }
            if (!configSent) {
                configSent = true;
                ByteBuf head = alloc.buffer(19);
                new OpusHead(channels, startTrim, OpusHead.DECODE_RATE, 0, 0).write(head);
                out.accept(TsSample.config(Codec.OPUS, t, head));
            }
            out.accept(TsSample.media(Codec.OPUS, t, t, false, alloc.buffer(size).writeBytes(payload, i, size)));
            t += (long) samples * TsSample.CLOCK / OpusHead.DECODE_RATE;
            i += size;
        }
    }
}
