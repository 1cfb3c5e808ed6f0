package dev.vireo.bench.peers;

import dev.vireo.bench.probe.JvmProbe;
import dev.vireo.bench.probe.ProcFs;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** A server process the bench drives: started on free loopback ports, measured through /proc. */
public interface ServerUnderTest extends AutoCloseable {

    /** Short name for tables: "vireo", "nginx-rtmp". */
    String name();

    /** The process to measure (for nginx the master; its workers are counted as descendants). */
    long pid();

    /** {@code rtmp://127.0.0.1:port/app/stream}. */
    URI rtmpUrl(String app, String stream);

    /** {@code http://127.0.0.1:port/app/stream.flv}, when the server plays HTTP-FLV. */
    default Optional<URI> flvUrl(String app, String stream) {
        return Optional.empty();
    }

    /** {@code http://127.0.0.1:port/app/stream/whep}, when the server plays WebRTC (WHEP). */
    default Optional<URI> whepUrl(String app, String stream) {
        return Optional.empty();
    }

    /** Where the server's Prometheus metrics are, when it has them. */
    default Optional<URI> metricsUrl() {
        return Optional.empty();
    }

    /**
     * When the server is Janus: its API and RTP ingest (it has no RTMP, so the bench feeds it RTP
     * and its viewers signal through the Janus API instead of WHEP).
     */
    default Optional<JanusProcess> janus() {
        return Optional.empty();
    }

    /** Live heap bytes after a full GC, when the server is a JVM we can ask (else empty). */
    default Optional<JvmProbe> jvm() {
        return Optional.empty();
    }

    /** Where the server writes its log (for failure messages). */
    Path log();

    /** CPU time and RSS of the server process tree right now. */
    default ProcFs.Usage usage() {
        return ProcFs.treeUsage(pid());
    }

    @Override
    void close();

    /**
     * Stops a server process: SIGTERM (the server shuts down cleanly), then after {@code grace}
     * seconds SIGKILL to it and its descendants (nginx's workers).
     */
    static void stop(Process process, int graceSeconds) {
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
