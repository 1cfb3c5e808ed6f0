package dev.vireo.server;

import dev.vireo.http.FlvTagStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test helper: an HTTP-FLV viewer (the JDK's HTTP client, HTTP/1.1 as flv.js speaks it, one client
 * per viewer so that no state left by an earlier test is shared) reading {@code url} on a platform
 * thread (a virtual one can wait behind the server's CPU-bound virtual threads) and counting the
 * video tags it parses; {@link #close()} ends it.
 */
final class FlvViewer implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final AtomicLong video = new AtomicLong();
    private final AtomicLong keyframes = new AtomicLong();
    private final AtomicInteger status = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<InputStream> body = new AtomicReference<>();
    private final long startedNanos = System.nanoTime();
    private final AtomicLong firstVideoNanos = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean ended;
    private final Thread thread;

    FlvViewer(String url) {
        thread = Thread.ofPlatform().daemon().name("flv-viewer").start(() -> read(url));
    }

    private void read(String url) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            body.set(r.body());
            status.set(r.statusCode());
            if (closed) {
                r.body().close();
                return;
            }
            if (r.statusCode() != 200) {
                r.body().close();
                return;
            }
            try (FlvTagStream flv = new FlvTagStream(r.body())) {
                for (FlvTagStream.Tag t = flv.next(); t != null; t = flv.next()) {
                    if (t.isVideo() && !t.isSequenceHeader()) {
                        firstVideoNanos.compareAndSet(0, System.nanoTime());
                        video.incrementAndGet();
                        if (t.isKeyframe()) {
                            keyframes.incrementAndGet();
                        }
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                failure.set(e);
            }
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            ended = true;
        }
    }

    /** Video frames (not sequence headers) received so far. */
    long videoFrames() {
        return video.get();
    }

    long keyframes() {
        return keyframes.get();
    }

    /** The HTTP status, 0 before the response head. */
    int status() {
        return status.get();
    }

    /** Whether the response ended (the server closed it, or it failed). */
    boolean ended() {
        return ended;
    }

    Throwable failure() {
        return failure.get();
    }

    /** Milliseconds from the start to the first video frame, -1 before it. */
    long firstFrameMillis() {
        long f = firstVideoNanos.get();
        return f == 0 ? -1 : (f - startedNanos) / 1_000_000;
    }

    @Override
    public String toString() {
        return "FlvViewer[status " + status() + ", " + video.get() + " video frames, ended " + ended
                + (failure.get() == null ? "" : ", " + failure.get()) + "]";
    }

    @Override
    public void close() {
        closed = true;
        InputStream in = body.get();
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        http.shutdownNow();
    }
}
