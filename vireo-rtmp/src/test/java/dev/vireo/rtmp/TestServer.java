package dev.vireo.rtmp;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A real hub and RTMP server on an ephemeral port, plus a client event loop group. */
final class TestServer implements AutoCloseable {

    final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final EventLoopGroup clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final StreamHub hub;
    final RtmpServer server;
    final int port;

    TestServer() {
        this(RtmpConfig.defaults(), HubConfig.defaults(), Gate.allowAll());
    }

    TestServer(RtmpConfig config, HubConfig hubConfig, Gate gate) {
        hub = new StreamHub(hubConfig, workers.next());
        server = new RtmpServer(config.withBind("127.0.0.1").withPort(0), hub, gate, boss, workers,
                NioServerSocketChannel.class);
        port = server.start();
    }

    String url(String appAndStream) {
        return "rtmp://127.0.0.1:" + port + "/" + appAndStream;
    }

    /** A connected client; the deadline only bounds a hung connect (one took over 5 s at load 19 on 2 cores). */
    RtmpClient client(String appAndStream) throws Exception {
        return RtmpClient.connect(url(appAndStream), clients, NioSocketChannel.class).get(30, TimeUnit.SECONDS);
    }

    boolean isLive(String app, String stream) {
        return hub.find(StreamKey.of(app, stream)).map(s -> s.isLive()).orElse(false);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    @Override
    public void close() {
        server.close();
        hub.close();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
