package dev.vireo.record;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The recordings on disk, {@code {root}/{vhost}/{app}/{stream}/{start}.{mp4|flv}}: listing, finding
 * one for a download, deleting one. Every name is checked by {@link RecordingNames} before a path
 * is built, the resolved path must stay under the root, and links are not followed (a link is not
 * a recording): an API request cannot reach any other file. Blocking (file system).
 */
public final class RecordingFiles {

    /**
     * One recording file.
     *
     * @param recording whether it is being written now
     */
    public record Entry(String vhost, String app, String stream, String file, RecordFormat format, long bytes,
                        Instant startedAt, Instant modifiedAt, boolean recording) {
    }

    /** What a delete did. */
    public enum Deleted { DELETED, NOT_FOUND, RECORDING }

    private final Path root;
    private final Supplier<Set<Path>> open;

    /** @param open the files being written now (not deleted, shown as {@code recording}) */
    public RecordingFiles(Path root, Supplier<Set<Path>> open) {
        this.root = root.toAbsolutePath().normalize();
        this.open = open;
    }

    public Path root() {
        return root;
    }

    /**
     * Recordings of the vhosts {@code vhosts} accepts, optionally of one app and stream (null: any),
     * newest first; at most {@code limit}.
     */
    public List<Entry> list(Predicate<String> vhosts, String app, String stream, int limit) {
        if (app != null && !RecordingNames.part(app) || stream != null && !RecordingNames.part(stream)) {
            return List.of();
        }
        Set<Path> writing = open.get();
        List<Entry> out = new ArrayList<>();
        for (Path v : dirs(root)) {
            String vhost = v.getFileName().toString();
            if (!RecordingNames.vhost(vhost) || !vhosts.test(vhost)) {
                continue;
            }
            for (Path a : dirs(v)) {
                if (app != null && !a.getFileName().toString().equals(app) || !RecordingNames.part(a.getFileName().toString())) {
                    continue;
                }
                for (Path s : dirs(a)) {
                    if (stream != null && !s.getFileName().toString().equals(stream)
                            || !RecordingNames.part(s.getFileName().toString())) {
                        continue;
                    }
                    for (Path f : files(s)) {
                        Entry e = entry(vhost, a.getFileName().toString(), s.getFileName().toString(), f, writing);
                        if (e != null) {
                            out.add(e);
                        }
                    }
                }
            }
        }
        out.sort(Comparator.comparing(Entry::startedAt).reversed().thenComparing(Entry::vhost)
                .thenComparing(Entry::app).thenComparing(Entry::stream));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /** The recordings of one stream directory (for retention). */
    List<Entry> ofStream(String vhost, String app, String stream) {
        Optional<Path> dir = path(vhost, app, stream);
        if (dir.isEmpty()) {
            return List.of();
        }
        Set<Path> writing = open.get();
        List<Entry> out = new ArrayList<>();
        for (Path f : files(dir.get())) {
            Entry e = entry(vhost, app, stream, f, writing);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** Every {@code vhost/app/stream} directory with safe names. */
    List<String[]> streams() {
        List<String[]> out = new ArrayList<>();
        for (Path v : dirs(root)) {
            for (Path a : dirs(v)) {
                for (Path s : dirs(a)) {
                    String[] k = {v.getFileName().toString(), a.getFileName().toString(), s.getFileName().toString()};
                    if (RecordingNames.vhost(k[0]) && RecordingNames.part(k[1]) && RecordingNames.part(k[2])) {
                        out.add(k);
                    }
                }
            }
        }
        return out;
    }

    /** The one recording these names designate, if it exists as a regular file. */
    public Optional<Entry> find(String vhost, String app, String stream, String file) {
        Optional<Path> p = path(vhost, app, stream).filter(d -> RecordingNames.file(file)).map(d -> d.resolve(file));
        if (p.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(entry(vhost, app, stream, p.get(), open.get()));
    }

    /** The file of {@link #find}: its path, for reading. */
    public Path pathOf(Entry e) {
        return root.resolve(e.vhost()).resolve(e.app()).resolve(e.stream()).resolve(e.file());
    }

    /** Deletes one finished recording; one being written is refused. */
    public Deleted delete(String vhost, String app, String stream, String file) {
        Optional<Entry> e = find(vhost, app, stream, file);
        if (e.isEmpty()) {
            return Deleted.NOT_FOUND;
        }
        if (e.get().recording()) {
            return Deleted.RECORDING;
        }
        try {
            return Files.deleteIfExists(pathOf(e.get())) ? Deleted.DELETED : Deleted.NOT_FOUND;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private Optional<Path> path(String vhost, String app, String stream) {
        if (!RecordingNames.vhost(vhost) || !RecordingNames.part(app) || !RecordingNames.part(stream)) {
            return Optional.empty();
        }
        Path p = root.resolve(vhost).resolve(app).resolve(stream).normalize();
        // belt and braces: the names above cannot climb, and the result must still be under the root
        return p.startsWith(root) && p.getNameCount() == root.getNameCount() + 3 ? Optional.of(p) : Optional.empty();
    }

    private static Entry entry(String vhost, String app, String stream, Path f, Set<Path> writing) {
        String name = f.getFileName().toString();
        Instant start = RecordingNames.startOf(name);
        if (start == null) {
            return null;
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                return null;
            }
            return new Entry(vhost, app, stream, name, RecordingNames.formatOf(name), attrs.size(), start,
                    attrs.lastModifiedTime().toInstant(), writing.contains(f.toAbsolutePath().normalize()));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> dirs(Path d) {
        return children(d, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static List<Path> files(Path d) {
        return children(d, p -> RecordingNames.file(p.getFileName().toString()));
    }

    private static List<Path> children(Path d, Predicate<Path> keep) {
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            for (Path p : s) {
                if (keep.test(p)) {
                    out.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
