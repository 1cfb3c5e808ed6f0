package dev.vireo.http;

import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Test helper: publishes synthetic H.264 + AAC frames into a real hub. */
final class FakePublisher implements AutoCloseable {

    /** An AVCDecoderConfigurationRecord (High profile, level 3.1) with one SPS and one PPS. */
    static final byte[] AVC_CONFIG = {1, 0x64, 0, 0x1f, (byte) 0xff, (byte) 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f,
            1, 0, 4, 0x68, (byte) 0xee, 0x3c, (byte) 0x80};
    /** An AudioSpecificConfig: AAC LC, 44.1 kHz, stereo. */
    static final byte[] AAC_CONFIG = {0x12, 0x10};

    final Publication publication;

    FakePublisher(StreamHub hub, StreamKey key) throws HubException {
        publication = hub.publish(key, "fake-" + key.stream(), reason -> { });
    }

    /** onMetaData (AMF0 name + empty ECMA array), then both sequence headers. */
    FakePublisher sendHeaders() {
        ByteBuf amf = Unpooled.buffer();
        amf.writeByte(2).writeShort(10).writeBytes("onMetaData".getBytes(StandardCharsets.US_ASCII));
        amf.writeByte(8).writeInt(0).writeMedium(9);
        publication.send(MediaFrame.data(0, amf));
        publication.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(AVC_CONFIG)));
        publication.send(MediaFrame.config(Codec.AAC, 0, Unpooled.wrappedBuffer(AAC_CONFIG)));
        return this;
    }

    /** A video frame whose payload is one length-prefixed NAL unit of {@code size} bytes. */
    FakePublisher video(long dts, boolean key, int size) {
        ByteBuf nal = Unpooled.buffer(size + 4);
        nal.writeInt(size).writeByte(key ? 0x65 : 0x41);
        nal.writeZero(size - 1);
        publication.send(MediaFrame.media(Codec.H264, dts, 0, key, nal));
        return this;
    }

    FakePublisher audio(long dts) {
        publication.send(MediaFrame.media(Codec.AAC, dts, 0, false, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10, 4, 0})));
        return this;
    }

    @Override
    public void close() {
        publication.close();
    }
}
