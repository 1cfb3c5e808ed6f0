package dev.vireo.bench.peers;

import dev.vireo.bench.FreePort;
import java.net.URI;
import java.nio.file.Path;

/**
 * What every server the bench launches as a child process shares: the process (measured through
 * /proc), its RTMP port, its log, and a stop that gives it {@code stopGraceSeconds} to exit cleanly.
 */
abstract class LaunchedServer implements ServerUnderTest {

    protected final Process process;
    protected final int rtmpPort;
    private final Path log;
    private final String name;
    private final int stopGraceSeconds;

    LaunchedServer(String name, Process process, int rtmpPort, Path log, int stopGraceSeconds) {
        this.name = name;
        this.process = process;
        this.rtmpPort = rtmpPort;
        this.log = log;
        this.stopGraceSeconds = stopGraceSeconds;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public URI rtmpUrl(String app, String stream) {
        return URI.create("rtmp://" + FreePort.LOOPBACK + ":" + rtmpPort + "/" + app + "/" + stream);
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        ServerUnderTest.stop(process, stopGraceSeconds); // SIGTERM (nginx: to the master, workers follow)
    }
}
