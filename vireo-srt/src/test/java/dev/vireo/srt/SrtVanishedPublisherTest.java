package dev.vireo.srt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SRT publisher whose ffmpeg vanished without closing its connection (SIGKILL; SIGSTOP then
 * SIGKILL) is unpublished once libsrt breaks the silent connection, also when the loop's thread was
 * starved meanwhile, and the key is free for the next publisher. The soak run of issue 17 had such a
 * publisher stay "publishing" for 11 minutes and its restart refused as a duplicate.
 */
class SrtVanishedPublisherTest {

    /** A short peer idle timeout keeps the test short; the bound below is derived from it. */
    private static final int PEER_IDLE_MS = 3_000;
    /**
     * The stream must be released within the peer idle timeout plus libsrt's garbage collection (a
     * 1 s tick) plus the loop's 1 s housekeeping, with room for a loaded machine.
     */
    private static final Duration RELEASE_BOUND = Duration.ofMillis(PEER_IDLE_MS * 3L + 10_000);

    @TempDir
    Path dir;

    private static SrtFixture fixture() {
        return new SrtFixture(Gate.allowAll(), SrtConfig.defaults().withPeerIdleTimeout(PEER_IDLE_MS));
    }

    private static void signal(Proc p, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.process.pid())).inheritIO().start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0).as("kill -%s", sig).isTrue();
    }

    private Proc publish(SrtFixture f, String stream, String name) throws Exception {
        Proc pub = SrtPeersTest.ffmpegPublish(java.nio.file.Files.createDirectories(dir.resolve(name)),
                f.url("#!::r=live/" + stream + ",m=publish", ""), 120);
        Await.until(Duration.ofSeconds(20), () -> "ffmpeg publishing over SRT: " + pub.output(),
                () -> f.isLive("live", stream));
        return pub;
    }

    /** The next ffmpeg to the same key is accepted (not refused as a second publisher). */
    private void republish(SrtFixture f, String stream) throws Exception {
        try (Proc again = publish(f, stream, "again")) {
            Await.until(Duration.ofSeconds(10), () -> "only the new publisher's session: " + f.server.sessions(),
                    () -> f.server.sessions().size() == 1);
            assertThat(f.server.sessions()).singleElement().satisfies(s -> assertThat(s.role()).isEqualTo("publish"));
        }
    }

    @Test
    void aSigkilledPublisherIsReleasedAndItsKeyTakenAgain() throws Exception {
        try (SrtFixture f = fixture(); Proc pub = publish(f, "killed", "first")) {
            signal(pub, "KILL");
            Await.until(RELEASE_BOUND, () -> "stream released after SIGKILL; sessions " + f.server.sessions(),
                    () -> !f.isLive("live", "killed") && f.server.sessions().isEmpty());
            republish(f, "killed");
        }
    }

    @Test
    void aStoppedThenKilledPublisherIsReleasedAndItsKeyTakenAgain() throws Exception {
        try (SrtFixture f = fixture(); Proc pub = publish(f, "stopped", "first")) {
            signal(pub, "STOP");
            try {
                Await.until(RELEASE_BOUND, () -> "stream released while ffmpeg is stopped; sessions "
                        + f.server.sessions(), () -> !f.isLive("live", "stopped") && f.server.sessions().isEmpty());
            } finally {
                signal(pub, "KILL");
            }
            republish(f, "stopped");
        }
    }

    /**
     * Under CPU starvation the loop's thread may not poll for seconds: libsrt breaks the silent
     * connection, closes it and removes it (clearing its epoll events) before the loop looks. Here
     * the publisher is stopped first, then the loop is held busy
     * while ffmpeg is killed, until libsrt no longer knows the socket at all; a new ffmpeg publishing
     * the key meanwhile is admitted (the holder is gone) and replaces it once the loop runs again.
     */
    @Test
    void aPublisherThatVanishedWhileTheLoopWasStarvedIsReleased() throws Exception {
        try (SrtFixture f = fixture(); Proc pub = publish(f, "starved", "first")) {
            SrtLoop loop = f.server.loopForTests();
            int socket = loop.submit(() -> loop.sessionSockets().getFirst()).get(10, TimeUnit.SECONDS);
            signal(pub, "STOP");
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch gone = new CountDownLatch(1);
            java.util.concurrent.Future<Boolean> admittedWhileHeld = loop.submit(() -> {
                held.countDown();
                // the loop thread stalls here, as a starved thread would, until libsrt has broken,
                // closed and removed the killed publisher's socket ...
                // (libsrt keeps a broken socket with unread packets up to 30 of its 1 s GC ticks longer)
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (loop.socketState(socket) != dev.vireo.srt.lib.LibSrt.SRTS_NONEXIST && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                if (loop.socketState(socket) != dev.vireo.srt.lib.LibSrt.SRTS_NONEXIST) {
                    return false;
                }
                gone.countDown();
                // ... and a new ffmpeg's handshake for the key has been admitted by the listen callback
                // (not refused as a second publisher: the holder's socket is gone)
                until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (loop.pending.isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                return !loop.pending.isEmpty();
            });
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            signal(pub, "KILL");
            assertThat(gone.await(120, TimeUnit.SECONDS)).as("libsrt removed the socket while the loop was held").isTrue();
            assertThat(f.isLive("live", "starved")).as("still held by the gone publisher").isTrue();
            try (Proc again = SrtPeersTest.ffmpegPublish(java.nio.file.Files.createDirectories(dir.resolve("while-held")),
                    f.url("#!::r=live/starved,m=publish", ""), 120)) {
                assertThat(admittedWhileHeld.get(60, TimeUnit.SECONDS)).as("the new publisher admitted while the gone one"
                        + " still held the key; " + again.output()).isTrue();
                Await.until(RELEASE_BOUND, () -> "the new publisher replaced the gone one; sessions " + f.server.sessions(),
                        () -> f.isLive("live", "starved") && f.server.sessions().size() == 1
                                && f.server.sessions().iterator().next().sessionId().equals("srt-2"));
            }
            Await.until(RELEASE_BOUND, () -> "stream released; sessions " + f.server.sessions(),
                    () -> !f.isLive("live", "starved") && f.server.sessions().isEmpty());
            republish(f, "starved");
        }
    }
}
