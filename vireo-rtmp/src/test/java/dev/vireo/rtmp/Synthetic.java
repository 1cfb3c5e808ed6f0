package dev.vireo.rtmp;

import dev.vireo.media.amf.Amf0Writer;
import dev.vireo.media.amf.AmfEcmaArray;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * FLV tag bodies of a synthetic H.264 + AAC stream (valid headers, filler NAL units), and a
 * publisher that sends them at 30 fps through an {@link RtmpClient}.
 */
final class Synthetic {

    static final byte[] AVC_CONFIG = {
        0x01, 0x64, 0x00, 0x1f, (byte) 0xff, (byte) 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1f,
        0x01, 0x00, 0x04, 0x68, (byte) 0xee, 0x3c, (byte) 0x80};

    private Synthetic() {
    }

    static ByteBuf metadata() {
        ByteBuf b = Unpooled.buffer();
        Amf0Writer.writeAll(b, "@setDataFrame", "onMetaData",
                new AmfEcmaArray(Map.of("width", 320.0, "height", 240.0, "videocodecid", 7.0)));
        return b;
    }

    static ByteBuf avcSequenceHeader() {
        return Unpooled.buffer().writeBytes(new byte[] {0x17, 0x00, 0, 0, 0}).writeBytes(AVC_CONFIG);
    }

    static ByteBuf avcFrame(boolean key, int size) {
        ByteBuf b = Unpooled.buffer(size + 9);
        b.writeByte(key ? 0x17 : 0x27).writeByte(1).writeMedium(0);
        b.writeInt(size).writeByte(key ? 0x65 : 0x41);
        b.writeZero(size - 1);
        return b;
    }

    static ByteBuf aacSequenceHeader() {
        return Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 0x00, 0x12, 0x10});
    }

    static ByteBuf aacFrame() {
        ByteBuf b = Unpooled.buffer(130);
        b.writeByte(0xAF).writeByte(1).writeBytes("synthetic aac frame".getBytes(StandardCharsets.US_ASCII));
        return b;
    }

    /** Enhanced RTMP (v1) HEVC: ExVideoTagHeader with FOURCC hvc1. */
    static ByteBuf hevcSequenceHeader() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x80 | 0x10 | 0).writeBytes("hvc1".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {0x01, 0x01, 0x60, 0, 0, 0, (byte) 0x90, 0, 0, 0, 0, 0, 0x5d, (byte) 0xf0, 0,
            (byte) 0xfc, (byte) 0xfd, (byte) 0xf8, (byte) 0xf8, 0, 0, 0x0f, 0});
        return b;
    }

    static ByteBuf hevcFrame(boolean key, int size) {
        ByteBuf b = Unpooled.buffer(size + 9);
        // PacketType 3 = CodedFramesX: no composition time.
        b.writeByte(0x80 | (key ? 0x10 : 0x20) | 3).writeBytes("hvc1".getBytes(StandardCharsets.US_ASCII));
        b.writeInt(size).writeByte(key ? 0x26 : 0x02);
        b.writeZero(size - 1);
        return b;
    }

    /** Sends the stream through {@code client} at 30 fps from {@code executor} until stopped. */
    static final class Publisher {

        private final RtmpClient client;
        private final boolean hevc;
        private final int keySize;
        private final int interSize;
        private final AtomicInteger frames = new AtomicInteger();
        private ScheduledFuture<?> task;

        Publisher(RtmpClient client, boolean hevc) {
            this(client, hevc, 6000, 800);
        }

        Publisher(RtmpClient client, boolean hevc, int keySize, int interSize) {
            this.client = client;
            this.hevc = hevc;
            this.keySize = keySize;
            this.interSize = interSize;
        }

        Publisher start(EventExecutor executor) {
            client.sendTag(RtmpClient.TAG_SCRIPT, 0, metadata());
            client.sendTag(RtmpClient.TAG_VIDEO, 0, hevc ? hevcSequenceHeader() : avcSequenceHeader());
            client.sendTag(RtmpClient.TAG_AUDIO, 0, aacSequenceHeader());
            task = executor.scheduleAtFixedRate(this::tick, 0, 33, TimeUnit.MILLISECONDS);
            return this;
        }

        private void tick() {
            if (!client.isOpen()) {
                return;
            }
            int n = frames.getAndIncrement();
            long ts = n * 33L;
            boolean key = n % 15 == 0;
            int size = key ? keySize : interSize;
            client.sendTag(RtmpClient.TAG_VIDEO, ts, hevc ? hevcFrame(key, size) : avcFrame(key, size));
            client.sendTag(RtmpClient.TAG_AUDIO, ts, aacFrame());
        }

        int framesSent() {
            return frames.get();
        }

        void stop() {
            if (task != null) {
                task.cancel(false);
            }
        }
    }
}
