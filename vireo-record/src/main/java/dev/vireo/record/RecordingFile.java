package dev.vireo.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One fragmented MP4 file being written: the init segment, then whole fragments. Each fragment
 * goes out in one {@code write}, so a process killed at any moment leaves a file that ends at a
 * fragment boundary and plays up to there (a power loss can still lose what the kernel had not
 * written back). Not thread-safe.
 */
final class RecordingFile implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private long bytes;

    private RecordingFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates {@code path} (and its directories) and writes the init segment. */
    static RecordingFile create(Path path, byte[] init) throws IOException {
        Files.createDirectories(path.getParent());
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        RecordingFile f = new RecordingFile(path, ch);
        try {
            f.append(init);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return f;
    }

    /**
     * Appends {@code data} whole or not at all: after a failed write (disk full: a short write,
     * then ENOSPC) the file is cut back to where it was, so it still ends at a fragment boundary.
     */
    void append(byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            try {
                channel.truncate(bytes);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        bytes += data.length;
    }

    Path path() {
        return path;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
