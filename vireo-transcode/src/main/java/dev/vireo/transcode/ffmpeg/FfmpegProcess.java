package dev.vireo.transcode.ffmpeg;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * One ffmpeg child process of a job and the three threads that serve its pipes: the writer
 * (frames to stdin), the reader (stdout to the hub) and the stderr drain. The job's supervisor
 * starts it, waits for it to end, and starts another when it crashed.
 *
 * <p>The writer and the reader are platform threads, not virtual ones: every frame of the
 * variant passes through them, and a virtual thread that wakes up for a frame waits for a free
 * carrier behind whatever else runs there — the WHEP sessions' DTLS handshakes are CPU-bound
 * virtual threads, so viewers joining in numbers would hold back every frame of the variant they
 * join, which then reaches all its viewers in a burst (docs/BENCHMARKS.md, "The browser variant's
 * tail"). A blocking read of a pipe also pins its carrier. Two threads per running job, bounded
 * by {@code TranscodeConfig.maxJobs()}.
 */
public final class FfmpegProcess {

    /** ffmpeg exits within milliseconds on SIGTERM; this is for the one that does not. */
    private static final long TERM_GRACE_MILLIS = 2000;

    private final List<String> command;
    private final StderrTail stderr = new StderrTail();
    private final long startedNanos = System.nanoTime();
    private final Process process;
    private Thread writer;
    private Thread reader;
    private Thread drain;
    /** The writer ended it on purpose (the source's parameters changed): not a crash. */
    private volatile boolean planned;

    private FfmpegProcess(List<String> command, Process process) {
        this.command = command;
        this.process = process;
    }

    /** Starts ffmpeg and its pipe threads. */
    public static FfmpegProcess start(List<String> command, String name, Logger log, String prefix,
                               PipeTask writerTask, PipeTask readerTask) throws IOException {
        Process p = new ProcessBuilder(command).start();
        FfmpegProcess fp = new FfmpegProcess(command, p);
        Map<String, String> mdc = MDC.getCopyOfContextMap(); // the job's stream key and session id
        fp.drain = Thread.ofVirtual().name(name + "-stderr").start(withMdc(mdc, () -> fp.stderr.drain(p.getErrorStream(), log, prefix)));
        fp.reader = pipeThread(name + "-out").start(withMdc(mdc, () -> readerTask.run(fp)));
        fp.writer = pipeThread(name + "-in").start(withMdc(mdc, () -> writerTask.run(fp)));
        return fp;
    }

    /** A platform daemon thread for a pipe every frame goes through (see the class comment). */
    private static Thread.Builder pipeThread(String name) {
        return Thread.ofPlatform().name(name).daemon(true).stackSize(256 << 10);
    }

    private static Runnable withMdc(Map<String, String> mdc, Runnable r) {
        return () -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            r.run();
        };
    }

    /** Work on one of the pipes of a process. */
    @FunctionalInterface
    public interface PipeTask {
        void run(FfmpegProcess process);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public void markPlanned() {
        planned = true;
    }

    public boolean planned() {
        return planned;
    }

    /**
     * Waits until the process has exited and its output is all read (so every frame it produced
     * is published before a successor starts), then stops the writer. Returns the exit code.
     */
    public int awaitEnd() throws InterruptedException {
        int code;
        try {
            code = process.onExit().get().exitValue();
        } catch (ExecutionException e) {
            code = -1;
        }
        reader.join();
        drain.join();
        writer.interrupt();
        writer.join();
        return code;
    }

    /** {@link #awaitEnd()} for the cleanup path: never throws, keeps the interrupt. */
    public void awaitEndQuietly() {
        try {
            awaitEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the process: SIGTERM, then SIGKILL if it lingers; waits, so no zombie remains. */
    public void kill() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(TERM_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            try {
                process.onExit().get();
            } catch (ExecutionException ignored) {
                // onExit never completes exceptionally
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    public List<String> command() {
        return command;
    }

    /** System.nanoTime() when the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    /** The last line ffmpeg wrote to stderr at or after {@code sinceNanos} (System.nanoTime()), or "". */
    public String lastStderrSince(long sinceNanos) {
        return stderr.lastSince(sinceNanos);
    }
}
