package dev.vireo.srt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.testing.Await;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage, truncated and oversized datagrams and a handshake flood from many source ports, sent to
 * the SRT port while ffmpeg publishes: the running session keeps its stream (same session, video
 * without a gap) and the server's threads and sessions do not grow.
 */
class SrtBadInputTest {

    @TempDir
    Path dir;

    @Test
    void garbageAndAHandshakeFloodLeaveARunningSessionAlone() throws Exception {
        try (SrtFixture f = new SrtFixture();
             Proc pub = SrtPeersTest.ffmpegPublish(dir, f.url("#!::r=live/victim,m=publish", ""), 12)) {
            Await.until(Duration.ofSeconds(15), () -> "ffmpeg publishing: " + pub.output(), () -> f.isLive("live", "victim"));
            SrtFixture.Counting v = f.watch("live", "victim");
            Await.until(Duration.ofSeconds(10), "video at the viewer", () -> v.video.get() > 10);
            String session = f.server.sessions().iterator().next().sessionId();
            int threadsBefore = Thread.activeCount();

            InetSocketAddress target = new InetSocketAddress("127.0.0.1", f.port);
            Random random = new Random(7);
            for (int i = 0; i < 300; i++) {
                try (DatagramSocket s = new DatagramSocket(0)) {
                    byte[] garbage = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(garbage);
                    s.send(new DatagramPacket(garbage, garbage.length, target));
                    s.send(new DatagramPacket(new byte[] {(byte) 0x80, 0, 0}, 3, target)); // truncated control header
                    if (i % 30 == 0) {
                        byte[] big = new byte[60_000]; // oversized
                        random.nextBytes(big);
                        s.send(new DatagramPacket(big, big.length, target));
                    }
                    byte[] hs = induction(random.nextInt() & 0x7FFFFFFF);
                    s.send(new DatagramPacket(hs, hs.length, target)); // a handshake that never goes on
                }
            }
            Await.until(Duration.ofSeconds(20), () -> "ffmpeg done: " + pub.output(), () -> !pub.process.isAlive());
            List<Long> dts = v.videoDts;
            assertThat(dts.size()).isGreaterThan(150);
            for (int i = 1; i < dts.size(); i++) {
                assertThat(dts.get(i) - dts.get(i - 1)).as("video frame %d follows the previous by 40 ms", i).isBetween(39L, 41L);
            }
            assertThat(f.server.sessions()).allSatisfy(s -> assertThat(s.sessionId()).isEqualTo(session));
            assertThat(f.server.publishersAccepted()).isEqualTo(1);
            assertThat(Thread.activeCount()).as("threads").isLessThanOrEqualTo(threadsBefore + 2);
        }
    }

    /** An SRT caller's first handshake (induction, HSv4 layout as HSv5 callers send it). */
    private static byte[] induction(int socketId) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putInt(0x80000000); // control, type 0: handshake
        b.putInt(0);
        b.putInt(0); // timestamp
        b.putInt(0); // destination socket: none yet
        b.putInt(4); // version
        b.putInt(2); // socket type DGRAM
        b.putInt(socketId ^ 0x1234); // initial sequence number
        b.putInt(1500); // MSS
        b.putInt(8192); // flow window
        b.putInt(1); // request type: induction
        b.putInt(socketId);
        b.putInt(0); // cookie
        b.put(new byte[] {127, 0, 0, 1}); // peer IP
        return b.array();
    }
}
