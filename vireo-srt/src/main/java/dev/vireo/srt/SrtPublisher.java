package dev.vireo.srt;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.media.ts.TsDemuxer;
import dev.vireo.media.ts.TsSample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;

/**
 * An SRT caller in {@code m=publish}: the MPEG-TS it sends (H.264, H.265, AAC, Opus) goes through
 * {@code vireo-media}'s {@link TsDemuxer} and each sample becomes a hub frame. Messages are copied
 * from the loop's one native receive buffer into this session's accumulation buffer (reused; a
 * partial transport packet stays there for the next message), so receiving allocates nothing per
 * packet. A lost or damaged packet costs the unit it belonged to (the demuxer drops it and says
 * why), never the session.
 */
final class SrtPublisher extends SrtSession implements TsDemuxer.Listener {

    /** Demuxer problems logged per session; the rest are counted. */
    private static final int PROBLEMS_LOGGED = 10;

    private final Publication publication;
    private final TsDemuxer demuxer;
    private final ByteBuf acc;
    private long frames;
    private long bytes;
    private long messages;
    private long problems;
    private boolean released;
    /** When the last message (or the accept) was, System.nanoTime; read by the listen callback. */
    private volatile long lastMessageNanos = System.nanoTime();

    SrtPublisher(int socket, StreamKey key, SessionLog log, Publication publication, ByteBufAllocator alloc) {
        super(socket, key, log);
        this.publication = publication;
        this.demuxer = new TsDemuxer(this, alloc, TsDemuxer.DEFAULT_MAX_PES_SIZE);
        this.acc = alloc.heapBuffer(16 * 1024);
    }

    @Override
    String role() {
        return "publish";
    }

    /** One received message ({@code view}: the native receive buffer, position 0, limit its length). */
    void onMessage(ByteBuffer view) {
        if (released) {
            return;
        }
        messages++;
        lastMessageNanos = System.nanoTime();
        bytes += view.remaining();
        acc.writeBytes(view);
        demuxer.feed(acc);
        acc.discardSomeReadBytes();
    }

    /** Nanoseconds since the last message (since the accept before the first); any thread. */
    long silentNanos(long now) {
        return now - lastMessageNanos;
    }

    boolean revoked() {
        return publication.isRevoked();
    }

    @Override
    public void onSample(TsSample s) {
        // MPEG-TS 90 kHz time stamps (already unwrapped past 33 bits) to the hub's milliseconds; the
        // hub rebases a publisher that comes back within the reconnect grace.
        long dts = Math.floorDiv(s.dts(), 90);
        long pts = Math.floorDiv(s.pts(), 90);
        MediaFrame f = s.config() ? MediaFrame.config(s.codec(), dts, s.payload())
                : MediaFrame.media(s.codec(), dts, (int) (pts - dts), s.keyframe(), s.payload());
        if (released) {
            f.release();
            return;
        }
        frames++;
        publication.send(f);
    }

    @Override
    public void onProblem(String description) {
        if (++problems <= PROBLEMS_LOGGED) {
            log.warn("MPEG-TS from the publisher: {}{}", description,
                    problems == PROBLEMS_LOGGED ? " (further problems are counted, not logged)" : "");
        }
    }

    @Override
    long frames() {
        return frames;
    }

    long problems() {
        return problems;
    }

    @Override
    String summary() {
        return frames + " frames, " + messages + " messages, " + bytes + " bytes, " + problems
                + " MPEG-TS problems";
    }

    @Override
    void release() {
        if (released) {
            return;
        }
        released = true;
        demuxer.close();
        acc.release();
        publication.close();
    }
}
