package dev.vireo.transcode;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Subscriber;
import dev.vireo.media.Codec;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A viewer that records what it gets (configs with their bytes), on its executor. */
final class Recorder implements Subscriber {

    /**
     * @param payload the bytes of a configuration, of media too when {@link #keepingMedia()} (else null)
     * @param size the payload's size
     */
    record Got(Codec codec, long dts, long pts, boolean keyframe, boolean config, byte[] payload, int size, long nanos) {
        boolean isVideo() {
            return codec == Codec.H264 || codec == Codec.H265;
        }
    }

    private final String id;
    private final EventExecutor executor;
    final List<Got> got = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> ended = new CompletableFuture<>();
    private volatile boolean keepMedia;

    Recorder(String id, EventExecutor executor) {
        this.id = id;
        this.executor = executor;
    }

    /** Keeps the bytes of media frames too (to compare them with the source's); returns this. */
    Recorder keepingMedia() {
        keepMedia = true;
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return executor;
    }

    @Override
    public void onFrame(MediaFrame f) {
        byte[] payload = null;
        if (f.isConfig() || keepMedia) {
            payload = new byte[f.payload().readableBytes()];
            f.payload().getBytes(f.payload().readerIndex(), payload);
        }
        got.add(new Got(f.codec(), f.dts(), f.pts(), f.isKeyframe(), f.isConfig(), payload, f.payload().readableBytes(),
                System.nanoTime()));
    }

    @Override
    public void onEnd(String reason) {
        ended.complete(reason);
    }

    List<Got> media(Codec codec) {
        return got.stream().filter(g -> g.codec() == codec && !g.config()).toList();
    }

    Got config(Codec codec) {
        return got.stream().filter(g -> g.codec() == codec && g.config()).reduce((a, b) -> b).orElse(null);
    }

    long count(Codec codec) {
        return got.stream().filter(g -> g.codec() == codec && !g.config()).count();
    }
}
