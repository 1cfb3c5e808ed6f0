package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.http.FlvTagStream;
import dev.vireo.media.Codec;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class VireoServerLifecycleTest {

    @TempDir
    Path dir;

    private Config config(int http, int rtmp) {
        return TestConfigs.loopback(dir.resolve("data")).withPorts(http, rtmp);
    }

    @Test
    void closeEndsEveryViewerCleanlyAndStopsListening() throws Exception {
        VireoServer server = new VireoServer(config(0, 0));
        VireoServer.BoundPorts ports = server.start();
        try {
            assertThat(dir.resolve("data")).isDirectory();
            Publication pub = server.hub().publish(StreamKey.of("live", "cam"), "test", reason -> { });
            pub.send(MediaFrame.config(Codec.H264, 0, Unpooled.wrappedBuffer(new byte[] {1, 0x42, 0, 0x1e, (byte) 0xff})));
            pub.send(MediaFrame.media(Codec.H264, 0, 0, true, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0x65})));

            HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.http() + "/live/cam.flv")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            try (FlvTagStream flv = new FlvTagStream(r.body())) {
                assertThat(flv.next().isSequenceHeader()).isTrue();
                assertThat(flv.next().isKeyframe()).isTrue();
                Thread closer = Thread.ofPlatform().start(server::close);
                // The response ends with its last chunk: a clean end of stream, not an error.
                assertThat(flv.next()).isNull();
                closer.join(10_000);
                assertThat(closer.isAlive()).isFalse();
            }
            assertThat(pub.isRevoked()).isTrue();
            for (int port : new int[] {ports.http(), ports.rtmp()}) {
                assertThatThrownBy(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                    }
                }).isInstanceOf(IOException.class);
            }
        } finally {
            server.close();
        }
    }

    @Test
    void aTakenPortFailsStartWithAMessageNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            VireoServer httpClash = new VireoServer(config(taken.getLocalPort(), 0));
            assertThatThrownBy(httpClash::start)
                    .hasMessageContaining("HTTP").hasMessageContaining(":" + taken.getLocalPort());
            httpClash.close();

            VireoServer rtmpClash = new VireoServer(config(0, taken.getLocalPort()));
            assertThatThrownBy(rtmpClash::start)
                    .hasMessageContaining("RTMP").hasMessageContaining(":" + taken.getLocalPort());
            rtmpClash.close();
        }
    }

    @Test
    void twoServersRunSideBySideOnEphemeralPorts() {
        try (VireoServer a = new VireoServer(config(0, 0)); VireoServer b = new VireoServer(config(0, 0))) {
            VireoServer.BoundPorts pa = a.start();
            VireoServer.BoundPorts pb = b.start();
            assertThat(pa.http()).isNotEqualTo(pb.http());
            assertThat(pa.rtmp()).isNotEqualTo(pb.rtmp());
            Await.until(Duration.ofSeconds(5), "hub metrics registered", () ->
                    a.meterRegistry().find("vireo.streams").gauge() != null);
        }
    }
}
