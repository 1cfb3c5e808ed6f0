package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link RtmpClient.Listener} that counts what it receives and keeps the first bytes of each tag. */
final class CountingViewer implements RtmpClient.Listener {

    record Tag(int type, long timestamp, byte[] head) {
    }

    final AtomicInteger video = new AtomicInteger();
    final AtomicInteger audio = new AtomicInteger();
    final AtomicInteger data = new AtomicInteger();
    final List<Tag> tags = new CopyOnWriteArrayList<>();
    final List<RtmpClient.Status> statuses = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    @Override
    public void onTag(int type, long timestamp, ByteBuf body) {
        switch (type) {
            case RtmpClient.TAG_VIDEO -> video.incrementAndGet();
            case RtmpClient.TAG_AUDIO -> audio.incrementAndGet();
            default -> data.incrementAndGet();
        }
        if (tags.size() < 2000) {
            int n = Math.min(body.readableBytes(), 32);
            tags.add(new Tag(type, timestamp, ByteBufUtil.getBytes(body, body.readerIndex(), n)));
        }
    }

    @Override
    public void onStatus(RtmpClient.Status status) {
        statuses.add(status);
    }

    @Override
    public void onClose() {
        closed.complete(null);
    }

    List<Tag> videoTags() {
        return tags.stream().filter(t -> t.type() == RtmpClient.TAG_VIDEO).toList();
    }
}
