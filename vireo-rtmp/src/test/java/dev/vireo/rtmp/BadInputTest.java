package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.media.amf.Amf0Writer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of bad input closes only the offending connection, with its reason in the log, while
 * a live stream on the same server keeps flowing to its viewer.
 */
class BadInputTest {

    private static final Duration WAIT = Duration.ofSeconds(20); // bounds a wait, not a speed: loaded machines take seconds

    private static TestServer ts;
    private static RtmpClient publisherClient;
    private static Synthetic.Publisher publisher;
    private static RtmpClient viewerClient;
    private static CountingViewer viewer;
    private LogCapture logs;

    @BeforeAll
    static void liveStream() throws Exception {
        ts = new TestServer(RtmpConfig.defaults().withHandshakeTimeout(Duration.ofMillis(500))
                .withIdleTimeout(Duration.ofSeconds(1)), HubConfig.defaults(), Gate.allowAll());
        publisherClient = ts.client("live/good");
        assertThat(publisherClient.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
        publisher = new Synthetic.Publisher(publisherClient, false).start(ts.clients.next());
        viewer = new CountingViewer();
        viewerClient = ts.client("live/good");
        assertThat(viewerClient.play(viewer).get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Play.Start");
    }

    @AfterAll
    static void stop() {
        publisher.stop();
        viewerClient.close();
        publisherClient.close();
        ts.close();
    }

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void theOtherStreamCarriesOn() throws Exception {
        try {
            int before = viewer.video.get();
            TestServer.await("15 more video frames for the healthy viewer", WAIT, () -> viewer.video.get() >= before + 15);
            assertThat(viewerClient.isOpen()).isTrue();
            assertThat(publisherClient.isOpen()).isTrue();
        } finally {
            logs.close();
        }
    }

    @Test
    void garbageInsteadOfHandshake() throws Exception {
        try (RawPeer p = new RawPeer(ts.port)) {
            p.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "not an RTMP handshake: C0 version byte is 0x47");
    }

    @Test
    void truncatedHandshakeTimesOut() throws Exception {
        try (RawPeer p = new RawPeer(ts.port)) {
            // C0 and the first 100 bytes of C1, then silence.
            byte[] partial = new byte[1 + 100];
            partial[0] = 3;
            p.send(partial);
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "handshake not completed within 500 ms (101 of 3073 bytes received)");
    }

    @Test
    void silenceAfterTheHandshake() throws Exception {
        try (RawPeer p = new RawPeer(ts.port).handshake()) {
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "no command received for 1000 ms");
    }

    @Test
    void oversizedSetChunkSize() throws Exception {
        try (RawPeer p = new RawPeer(ts.port).handshake()) {
            p.sendMessage(2, MessageType.SET_CHUNK_SIZE, 0, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "Set Chunk Size 2147483647 outside 1..16777216");
    }

    @Test
    void chunkStreamIdFlood() throws Exception {
        try (RawPeer p = new RawPeer(ts.port).handshake()) {
            ByteBuf flood = Unpooled.buffer();
            for (int csid = 3; csid < 3 + 200; csid++) {
                ByteBuf one = Unpooled.wrappedBuffer(new byte[] {(byte) 0xAF, 1});
                ChunkEncoder.writeChunks(flood, csid, MessageType.AUDIO, 0, 1, one, 0, 2, 128);
            }
            p.send(flood);
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "more than 64 chunk streams on one connection");
    }

    @Test
    void amfBombInACommand() throws Exception {
        try (RawPeer p = new RawPeer(ts.port).handshake()) {
            ByteBuf cmd = Unpooled.buffer();
            Amf0Writer.writeAll(cmd, "connect", 1.0);
            // 10,000 nested strict arrays of one element each: far deeper than any real command.
            for (int i = 0; i < 10_000; i++) {
                cmd.writeByte(0x0A).writeInt(1);
            }
            cmd.writeByte(0x05);
            p.sendMessage(3, MessageType.COMMAND_AMF0, 0, ByteBufUtil.getBytes(cmd));
            cmd.release();
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "malformed command message", "nesting");
    }

    @Test
    void messageLengthOverTheLimit() throws Exception {
        try (RawPeer p = new RawPeer(ts.port).handshake()) {
            // A type-0 header claiming 16 MiB - 1 bytes (limit 8 MiB), and a first chunk.
            ByteBuf b = Unpooled.buffer();
            b.writeByte(4).writeMedium(0).writeMedium(0xFFFFFF).writeByte(MessageType.VIDEO).writeIntLE(1);
            b.writeZero(128);
            p.send(b);
            assertThat(p.awaitClosedByServer(WAIT)).isTrue();
        }
        logs.await(WAIT, "message of 16777215 bytes on chunk stream 4 exceeds the limit of 8388608");
    }
}
