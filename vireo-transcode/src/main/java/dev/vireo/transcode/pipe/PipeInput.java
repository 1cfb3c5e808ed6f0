package dev.vireo.transcode.pipe;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.flv.FlvTagEncoding;
import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvHeader;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;

/** Writes hub frames into ffmpeg's stdin in the container it reads. One per ffmpeg process. */
public sealed interface PipeInput permits PipeInput.Flv, PipeInput.Ts {

    /**
     * @param video the video codec ffmpeg gets, or null when none goes to ffmpeg (absent, or past it)
     * @param audio the audio codec, or null for none
     */
    static PipeInput of(PipeFormat format, Codec video, Codec audio) {
        return format == PipeFormat.FLV ? new Flv(audio != null, video != null) : new Ts(video, audio);
    }

    /** The container header. */
    void start(OutputStream out) throws IOException;

    /** One frame at {@code dtsMs} on ffmpeg's time line (its presentation offset is kept). */
    void write(MediaFrame frame, long dtsMs, OutputStream out) throws IOException;

    /**
     * FLV: the frame's shared FLV tag (the bytes HTTP-FLV viewers get, encoded once per frame)
     * with only its time stamp rewritten.
     */
    final class Flv implements PipeInput {
        private final boolean audio;
        private final boolean video;
        private final byte[] header = new byte[11];

        Flv(boolean audio, boolean video) {
            this.audio = audio;
            this.video = video;
        }

        @Override
        public void start(OutputStream out) throws IOException {
            ByteBuf b = Unpooled.buffer(FlvHeader.SIZE_WITH_PREVIOUS_TAG_SIZE);
            new FlvHeader(audio, video).write(b);
            out.write(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes());
        }

        @Override
        public void write(MediaFrame frame, long dtsMs, OutputStream out) throws IOException {
            ByteBuf tag = frame.encoded(FlvTagEncoding.INSTANCE);
            int i = tag.readerIndex();
            tag.getBytes(i, header, 0, 4); // TagType, DataSize
            header[4] = (byte) (dtsMs >>> 16);
            header[5] = (byte) (dtsMs >>> 8);
            header[6] = (byte) dtsMs;
            header[7] = (byte) (dtsMs >>> 24); // TimestampExtended
            header[8] = 0;
            header[9] = 0;
            header[10] = 0;
            out.write(header);
            tag.getBytes(i + header.length, out, tag.readableBytes() - header.length);
        }
    }

    /** MPEG-TS, for what ffmpeg 5.1 cannot read from FLV (Opus, H.265). */
    final class Ts implements PipeInput {
        private final TsMuxer muxer;
        private final ByteBuf buf = Unpooled.buffer(64 * 1024);

        Ts(Codec video, Codec audio) {
            this.muxer = new TsMuxer(video, audio);
        }

        @Override
        public void start(OutputStream out) {
            // PAT and PMT go out with the first sample
        }

        @Override
        public void write(MediaFrame frame, long dtsMs, OutputStream out) throws IOException {
            if (frame.isData()) {
                return;
            }
            long dts = dtsMs * 90;
            TsSample s = frame.isConfig()
                    ? TsSample.config(frame.codec(), dts, frame.payload().duplicate())
                    : TsSample.media(frame.codec(), dts + frame.cts() * 90L, dts, frame.isKeyframe(), frame.payload().duplicate());
            buf.clear();
            muxer.write(s, buf); // the sample's payload is the frame's: not released here
            out.write(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        }
    }
}
