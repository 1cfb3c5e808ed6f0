package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.rtmp.RtmpClient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** An RTMP viewer: connect, play, then count every received message ({@link MediaProbe}). */
public final class RtmpViewer extends BaseViewer implements RtmpClient.Listener {

    private final int nalLengthSize;
    private volatile RtmpClient client;
    private volatile boolean closed;

    private RtmpViewer(Measurement measurement, int nalLengthSize) {
        super(new FlowCounters(measurement, true));
        this.nalLengthSize = nalLengthSize;
    }

    public static RtmpViewer open(EventLoopGroup group, URI url, Measurement measurement, int nalLengthSize) {
        RtmpViewer v = new RtmpViewer(measurement, nalLengthSize);
        v.counters.markOpened(BenchClock.nowNanos());
        RtmpClient.connect(url.toString(), group, EpollSocketChannel.class)
                .thenCompose(c -> {
                    v.client = c;
                    if (v.closed) {
                        throw new IllegalStateException("closed by the bench while connecting");
                    }
                    return c.play(v);
                })
                .whenComplete((status, err) -> {
                    if (err != null) {
                        v.fail(String.valueOf(err.getMessage()));
                    } else if (status.isError() || !status.code().equals("NetStream.Play.Start")) {
                        v.fail("play refused: " + status.code() + ": " + status.description());
                    } else {
                        v.started.complete(null);
                    }
                });
        return v;
    }

    private void fail(String reason) {
        failStart(reason);
        RtmpClient c = client;
        if (c != null) {
            // RtmpClient.close() waits for the close: never on an event loop
            CompletableFuture.runAsync(c::close);
        }
    }

    @Override
    public void onTag(int type, long timestamp, ByteBuf body) {
        MediaProbe.onMessage(counters, type, body, nalLengthSize, BenchClock.nowNanos());
    }

    @Override
    public void onStatus(RtmpClient.Status status) {
        if (status.isError() || status.code().equals("NetStream.Play.UnpublishNotify")) {
            replaceCloseReason(status.code() + ": " + status.description());
        }
    }

    @Override
    public void onClose() {
        endStart(closed ? "closed by the bench" : "server closed the connection");
    }

    @Override
    public boolean isOpen() {
        RtmpClient c = client;
        return c != null && c.isOpen();
    }

    @Override
    public void close() {
        closed = true;
        RtmpClient c = client;
        if (c != null) {
            c.close();
        }
    }
}
