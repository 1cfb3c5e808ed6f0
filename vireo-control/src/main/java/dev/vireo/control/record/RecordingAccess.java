package dev.vireo.control.record;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The recording files, as the recordings API needs them; implemented by the server over
 * {@code vireo-record} (which this module does not import). Blocking (file system); every name is
 * checked by the implementation so that no request reaches a file outside the recordings.
 */
public interface RecordingAccess {

    /**
     * One recording file.
     *
     * @param domain the stream's ingest domain ({@code __defaultVhost__} for the zero-config vhost)
     * @param format {@code fmp4} or {@code flv}
     * @param recording whether it is being written now
     */
    record Item(String domain, String app, String stream, String file, String format, long bytes, String startedAt,
                String modifiedAt, boolean recording) {
    }

    /** What a delete did. */
    enum Deleted { DELETED, NOT_FOUND, RECORDING }

    /** Recordings of the vhosts {@code vhosts} accepts, of one app/stream when given, newest first. */
    List<Item> list(Predicate<String> vhosts, String app, String stream, int limit);

    /** One recording, if these names designate an existing one. */
    Optional<Item> find(String vhost, String app, String stream, String file);

    /** The file of an item {@link #find} returned. */
    Path path(Item item);

    Deleted delete(String vhost, String app, String stream, String file);

    /** No recordings at all (before the server wires the real ones). */
    RecordingAccess NONE = new RecordingAccess() {
        @Override
        public List<Item> list(Predicate<String> vhosts, String app, String stream, int limit) {
            return List.of();
        }

        @Override
        public Optional<Item> find(String vhost, String app, String stream, String file) {
            return Optional.empty();
        }

        @Override
        public Path path(Item item) {
            throw new IllegalStateException("no recordings");
        }

        @Override
        public Deleted delete(String vhost, String app, String stream, String file) {
            return Deleted.NOT_FOUND;
        }
    };
}
