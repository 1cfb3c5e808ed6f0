package dev.vireo.transcode;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.flv.FlvFrames;
import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvReader;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.ts.TsDemuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes a media file into the hub in real time, looping it (time stamps keep growing), like a
 * live encoder would. Records what it sent so tests can compare the transcoded output with it.
 */
final class FilePublisher implements AutoCloseable {

    /** One frame of the file: body bytes and where it sits on the file's time line. */
    private record Item(Codec codec, long dts, int cts, boolean keyframe, boolean config, boolean data, byte[] payload) {
    }

    /** What was published: track, dts and pts on the hub's time line, wall clock, the payload's bytes. */
    record Sent(boolean video, long dts, long pts, long nanos, byte[] payload) {
    }

    /** UUID of the stamps {@link #stamped} puts in (user_data_unregistered, H.264 §D.1.6). */
    static final byte[] SEI_UUID = "VireoTestStamp01".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final List<Item> items;
    private final long durationMs;
    private final Publication publication;
    private final Thread thread;
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private FilePublisher(List<Item> items, StreamHub hub, StreamKey key) throws Exception {
        this.items = items;
        long last = items.stream().mapToLong(Item::dts).max().orElse(0);
        this.durationMs = last + 40;
        this.publication = hub.publish(key, "file-publisher", reason -> closed = true);
        this.thread = Thread.ofVirtual().name("publisher " + key).start(this::run);
    }

    static FilePublisher flv(Path file, StreamHub hub, StreamKey key) throws Exception {
        List<Item> items = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(Files.readAllBytes(file));
        for (FlvTag tag : FlvReader.readAll(in)) {
            try {
                MediaFrame f = switch (tag.type()) {
                    case FlvTag.VIDEO -> FlvFrames.fromVideoBody(tag.body(), tag.timestamp());
                    case FlvTag.AUDIO -> FlvFrames.fromAudioBody(tag.body(), tag.timestamp());
                    default -> FlvFrames.fromScriptData(tag.body(), tag.timestamp());
                };
                if (f != null) {
                    items.add(item(f));
                    f.release();
                }
            } finally {
                tag.release();
            }
        }
        return new FilePublisher(items, hub, key);
    }

    static FilePublisher ts(Path file, StreamHub hub, StreamKey key) throws Exception {
        return new FilePublisher(read(file), hub, key);
    }

    /** The frames of an MPEG-TS file, its first media frame at 0. */
    private static List<Item> read(Path file) throws Exception {
        List<Item> items = new ArrayList<>();
        try (TsDemuxer d = new TsDemuxer(s -> {
            try {
                long dts = s.dts() / 90;
                byte[] b = new byte[s.payload().readableBytes()];
                s.payload().getBytes(s.payload().readerIndex(), b);
                items.add(new Item(s.codec(), dts, (int) (s.pts() / 90 - dts), s.keyframe(), s.config(), false, b));
            } finally {
                s.release();
            }
        })) {
            d.feed(Unpooled.wrappedBuffer(Files.readAllBytes(file)));
            d.flush();
        }
        long first = items.stream().filter(i -> !i.config()).mapToLong(Item::dts).min().orElse(0);
        List<Item> rebased = items.stream().map(i -> new Item(i.codec(), Math.max(0, i.dts() - first), i.cts(),
                i.keyframe(), i.config(), i.data(), i.payload())).toList();
        return new ArrayList<>(rebased);
    }

    /**
     * As {@link #ts}, with a user-data SEI first in every coded H.264 frame, as the bench's and the
     * player's latency meter stamps are: NAL type 6, payloadType 5 (user_data_unregistered),
     * {@link #SEI_UUID}, the frame's index in 8 hex digits (no zero byte, so no emulation
     * prevention), rbsp trailing bits; 4-byte length prefix as the hub's H.264 payloads have.
     */
    static FilePublisher stamped(Path file, StreamHub hub, StreamKey key) throws Exception {
        List<Item> items = read(file);
        List<Item> out = new ArrayList<>(items.size());
        int n = 0;
        for (Item i : items) {
            if (i.codec() != Codec.H264 || i.config()) {
                out.add(i);
                continue;
            }
            byte[] index = String.format("%08x", n++).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int size = SEI_UUID.length + index.length;
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            int nal = 3 + size + 1;
            b.writeBytes(new byte[] {0, 0, 0, (byte) nal, 6, 5, (byte) size});
            b.writeBytes(SEI_UUID);
            b.writeBytes(index);
            b.write(0x80);
            b.writeBytes(i.payload());
            out.add(new Item(i.codec(), i.dts(), i.cts(), i.keyframe(), false, false, b.toByteArray()));
        }
        return new FilePublisher(out, hub, key);
    }

    private static Item item(MediaFrame f) {
        byte[] b = new byte[f.payload().readableBytes()];
        f.payload().getBytes(f.payload().readerIndex(), b);
        return new Item(f.codec(), f.dts(), f.cts(), f.isKeyframe(), f.isConfig(), f.isData(), b);
    }

    private void run() {
        long start = System.nanoTime();
        for (int loop = 0; !closed; loop++) {
            long offset = loop * durationMs;
            for (Item i : items) {
                if (closed) {
                    return;
                }
                if (loop > 0 && (i.config() || i.data())) {
                    continue;
                }
                long dts = i.dts() + offset;
                long due = start + dts * 1_000_000L;
                for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                    LockSupport.parkNanos(due - now);
                }
                ByteBuf payload = Unpooled.wrappedBuffer(i.payload());
                MediaFrame f = i.data() ? MediaFrame.data(dts, payload)
                        : i.config() ? MediaFrame.config(i.codec(), dts, payload)
                        : MediaFrame.media(i.codec(), dts, i.cts(), i.keyframe(), payload);
                if (!i.config() && !i.data()) {
                    sent.add(new Sent(f.isVideo(), f.dts(), f.pts(), System.nanoTime(), i.payload()));
                }
                publication.send(f);
            }
        }
    }

    /** Stops publishing; the stream enters the hub's reconnect grace period. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publication.close();
    }
}
