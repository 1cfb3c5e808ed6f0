package dev.vireo.webrtc.whep;

import dev.vireo.core.Gate;
import dev.vireo.core.StreamHub;
import dev.vireo.http.HttpConfig;
import dev.vireo.http.HttpServer;
import dev.vireo.http.routing.Router;
import dev.vireo.webrtc.WebRtcConfig;
import dev.vireo.webrtc.WebRtcServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** WHEP as the server wires it (HTTP routes, media port, player page) around a given hub, on loopback. */
final class WhepRig implements AutoCloseable {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final WebRtcServer rtc;
    final WhepPlayback whep;
    final HttpServer http;
    final int httpPort;
    final int rtcPort;

    WhepRig(StreamHub hub, Gate gate, WebRtcConfig rtcConfig, EventLoopGroup group) {
        rtc = new WebRtcServer(rtcConfig, group, NioDatagramChannel.class, registry);
        rtcPort = rtc.start();
        whep = new WhepPlayback(hub, gate, rtc, registry);
        Router router = new Router();
        whep.mount(router);
        new PlayerPage().mount(router);
        http = new HttpServer(HttpConfig.defaults().withBind("127.0.0.1", 0), router, group, group,
                NioServerSocketChannel.class);
        httpPort = http.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    @Override
    public void close() {
        http.close();
        rtc.close();
    }
}
