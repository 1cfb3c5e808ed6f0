package dev.vireo.http.flv;

import dev.vireo.core.FlushBatcher;
import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.SlowViewerPolicy;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.core.flv.FlvTagEncoding;
import dev.vireo.media.flv.FlvHeader;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP-FLV viewer: an endless response made of the FLV file header and then, per frame, the
 * stream's shared FLV tag bytes (encoded once per frame for every viewer). Chunked for HTTP/1.1,
 * delimited by the connection close for HTTP/1.0 (RFC 9112 §6.3). Runs on the channel's event
 * loop, which is also the subscriber executor, so it needs no locking.
 */
final class FlvViewer implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(FlvViewer.class);

    /** Flush at least this often within one burst, so a large GOP cache goes out as it is written. */
    private static final int FLUSH_BYTES = 256 * 1024;

    private final Channel channel;
    private final StreamKey key;
    private final String sessionId;
    private final SlowViewerPolicy policy;
    private final Counter bytesOut;
    private final Counter dropped;
    private final List<MediaFrame> early = new ArrayList<>(0);
    private final FlushBatcher out;
    /** {@link System#nanoTime()}; a test's clock in the slow-viewer fuzz target. */
    private final LongSupplier clock;
    private Subscription subscription;
    private Stream stream;
    private boolean started;
    private boolean done;
    private boolean hasVideo;
    private long frames;

    FlvViewer(Channel channel, StreamKey key, String sessionId, SlowViewerPolicy policy, Counter bytesOut,
              Counter dropped) {
        this(channel, key, sessionId, policy, bytesOut, dropped, System::nanoTime);
    }

    FlvViewer(Channel channel, StreamKey key, String sessionId, SlowViewerPolicy policy, Counter bytesOut,
              Counter dropped, LongSupplier clock) {
        this.clock = clock;
        this.channel = channel;
        this.key = key;
        this.sessionId = sessionId;
        this.policy = policy;
        this.bytesOut = bytesOut;
        this.dropped = dropped;
        this.out = new FlushBatcher(channel, FLUSH_BYTES);
    }

    @Override
    public String id() {
        return sessionId;
    }

    @Override
    public String protocol() {
        return "flv";
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    /**
     * On the event loop, right after a successful subscribe: sends the response head and the FLV
     * file header, then whatever frames came before.
     */
    void start(Subscription sub, HttpVersion clientVersion) {
        subscription = sub;
        stream = sub.stream();
        // A client that goes away detaches at once (Subscription.close is idempotent).
        channel.closeFuture().addListener(f -> {
            sub.close();
            releaseEarly();
        });
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "video/x-flv")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        boolean audio = stream.hasAudio();
        hasVideo = stream.hasVideo();
        // Before any sequence header arrives nothing is known: announce both (flv.js waits for
        // the tracks the header announces).
        FlvHeader header = audio || hasVideo ? new FlvHeader(audio, hasVideo) : new FlvHeader(true, true);
        ByteBuf bytes = channel.alloc().buffer(FlvHeader.SIZE_WITH_PREVIOUS_TAG_SIZE);
        header.write(bytes);
        channel.write(head);
        write(bytes);
        started = true;
        inContext(() -> log.info("play {} over http-flv from {}", key, channel.remoteAddress()));
        List<MediaFrame> before = List.copyOf(early);
        early.clear();
        try {
            for (MediaFrame f : before) {
                onFrame(f);
            }
        } finally {
            before.forEach(MediaFrame::release);
        }
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (done) {
            return;
        }
        if (!started) {
            // The hub delivers after subscribe returns; keep frames anyway should that change.
            early.add(frame.retain());
            return;
        }
        if (!channel.isActive()) {
            return;
        }
        if (!hasVideo && frame.isVideo()) {
            hasVideo = stream.hasVideo();
        }
        switch (policy.decide(frame, channel.isWritable(), hasVideo, clock.getAsLong())) {
            case DELIVER -> {
                frames++;
                write(frame.encoded(FlvTagEncoding.INSTANCE).retainedDuplicate());
            }
            case SKIP -> {
            }
            case DISCONNECT -> disconnectSlow();
        }
    }

    private void write(ByteBuf bytes) {
        int n = bytes.readableBytes();
        bytesOut.increment(n);
        out.write(new DefaultHttpContent(bytes), n);
    }

    private void disconnectSlow() {
        done = true;
        inContext(() -> log.warn("disconnecting slow http-flv viewer {} of {}: could not take data for {} ms"
                + " ({} frames skipped)", channel.remoteAddress(), key, policy.blockedNanos(clock.getAsLong()) / 1_000_000,
                policy.skippedFrames()));
        subscription.close();
        channel.close();
        dropped.increment();
    }

    @Override
    public void onEnd(String reason) {
        if (done) {
            return;
        }
        done = true;
        inContext(() -> log.info("http-flv viewer {} of {} ends after {} frames: {}", channel.remoteAddress(), key,
                frames, reason));
        releaseEarly();
        if (channel.isActive()) {
            // The last chunk ends the response cleanly (RFC 9112 §7.1); then the connection goes.
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Runs a log statement with the stream key and session id in the MDC, as every session log line has. */
    private void inContext(Runnable logStatement) {
        LogContext.run(key, sessionId, logStatement);
    }

    private void releaseEarly() {
        early.forEach(MediaFrame::release);
        early.clear();
    }
}
