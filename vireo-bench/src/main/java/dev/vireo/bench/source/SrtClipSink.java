package dev.vireo.bench.source;

import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvAudioPacket;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import dev.vireo.media.ts.TsMuxer;
import dev.vireo.media.ts.TsSample;
import dev.vireo.srt.lib.SrtCaller;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;

/**
 * SRT publishing of the clip, as an encoder does it: the tags become MPEG-TS ({@link TsMuxer}:
 * H.264 Annex B with the stamp SEI left in place, AAC in ADTS or Opus with its control header),
 * sent over a libsrt caller in live mode as 1316-byte messages (7 transport packets, what ffmpeg
 * and OBS send). Runs on the publisher's event loop; libsrt's send does not block in live mode.
 */
public final class SrtClipSink implements ClipPublisher.Sink {

    /** Seven 188-byte transport packets: the usual SRT live payload. */
    static final int MESSAGE = 7 * 188;
    /** Bytes sent by every SRT publisher of the process (the ingest bitrate of a run). */
    public static final java.util.concurrent.atomic.LongAdder SENT = new java.util.concurrent.atomic.LongAdder();

    private final SrtCaller caller;
    private final TsMuxer muxer;
    private final ByteBuf ts = Unpooled.buffer(64 * 1024);
    private final byte[] message = new byte[MESSAGE];
    private volatile boolean open = true;

    private SrtClipSink(SrtCaller caller, Codec audio) {
        this.caller = caller;
        this.muxer = new TsMuxer(Codec.H264, audio);
    }

    static SrtClipSink connect(InetSocketAddress address, String streamId, int latencyMs, Codec audio)
            throws SrtCaller.Rejected {
        return new SrtClipSink(SrtCaller.connect(address, streamId, "", latencyMs), audio);
    }

    @Override
    public void header(SourceClip.Tag tag) {
        ByteBuf body = Unpooled.wrappedBuffer(tag.body());
        if (tag.type() == FlvTag.VIDEO) {
            FlvVideoPacket v = FlvVideoPacket.parse(body);
            if (v.kind() == FlvPacketKind.CONFIG) {
                muxer.write(TsSample.config(v.codec(), 0, v.payload()), ts);
            }
        } else if (tag.type() == FlvTag.AUDIO) {
            FlvAudioPacket a = FlvAudioPacket.parse(body);
            if (a.kind() == FlvPacketKind.CONFIG) {
                muxer.write(TsSample.config(a.codec(), 0, a.payload()), ts);
            }
        }
    }

    @Override
    public void media(SourceClip.Tag tag, long timestampMs, ByteBuf body) {
        try {
            long dts = timestampMs * (TsSample.CLOCK / 1000);
            if (tag.type() == FlvTag.VIDEO) {
                FlvVideoPacket v = FlvVideoPacket.parse(body);
                if (v.kind() == FlvPacketKind.CODED) {
                    long pts = dts + v.compositionTime() * (TsSample.CLOCK / 1000);
                    muxer.write(TsSample.media(v.codec(), pts, dts, v.isKeyframe(), v.payload()), ts);
                }
            } else if (tag.type() == FlvTag.AUDIO) {
                FlvAudioPacket a = FlvAudioPacket.parse(body);
                if (a.kind() == FlvPacketKind.CODED) {
                    muxer.write(TsSample.media(a.codec(), dts, dts, false, a.payload()), ts);
                }
            }
        } finally {
            body.release();
        }
        // whole messages go now; a partial one waits for the next sample (as ffmpeg's srt:// does)
        while (ts.readableBytes() >= MESSAGE && open) {
            ts.readBytes(message);
            try {
                caller.send(message, 0, MESSAGE);
                SENT.add(MESSAGE);
            } catch (RuntimeException e) {
                open = false;
            }
        }
        ts.discardReadBytes();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        caller.close();
    }
}
