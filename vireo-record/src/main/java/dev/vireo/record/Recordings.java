package dev.vireo.record;

import dev.vireo.core.HubException;
import dev.vireo.core.HubListener;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscription;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recording (DVR): every ingested stream that has a {@link RecordPolicy} is recorded from its
 * publish on, to {@code {dir}/{vhost}/{app}/{stream}/{UTC start}.{mp4|flv}}, by one
 * {@link Recorder} per stream. The policies come from a function (the admin API's rules, then the
 * {@code record.streams} setting); {@link #reconsider()} applies a change to live streams.
 * Transcoded outputs (derived streams) are not recorded. File writes and retention run on one
 * thread of their own, never on an event loop.
 */
public final class Recordings implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Recordings.class);
    static final Duration RETENTION_EVERY = Duration.ofMinutes(1);

    private final StreamHub hub;
    private final Path dir;
    private final Function<StreamKey, Optional<RecordPolicy>> policies;
    private final Clock clock;
    private final EventExecutor writer = new DefaultEventExecutor(new DefaultThreadFactory("vireo-record", true));
    private final ConcurrentHashMap<StreamKey, Recorder> active = new ConcurrentHashMap<>();
    private final Set<Path> open = ConcurrentHashMap.newKeySet();
    private final RecordingFiles files;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private volatile Consumer<RecordingDone> onFileDone = d -> { };
    private volatile boolean started;

    /** Records the streams {@code rules} names (the {@code record.streams} setting alone). */
    public Recordings(StreamHub hub, Path dir, RecordRules rules) {
        this(hub, dir, key -> rules.matches(key.app(), key.stream())
                ? Optional.of(RecordPolicy.keepAll(rules.rotate())) : Optional.empty(), Clock.systemUTC());
    }

    /** @param policies how a stream is recorded, or empty for not at all; must be quick and non-blocking */
    public Recordings(StreamHub hub, Path dir, Function<StreamKey, Optional<RecordPolicy>> policies, Clock clock) {
        this.hub = hub;
        this.dir = dir;
        this.policies = policies;
        this.clock = clock;
        this.files = new RecordingFiles(dir, () -> Set.copyOf(open));
    }

    /** Starts listening to publishes and the periodic retention. */
    public void start() {
        started = true;
        log.info("recordings under {} (rules from the admin API and record.streams)", dir);
        hub.addListener(new HubListener() {
            @Override
            public void onPublish(Stream stream, String sessionId) {
                maybeRecord(stream);
            }
        });
        for (Stream s : hub.streams()) {
            maybeRecord(s);
        }
        long every = RETENTION_EVERY.toMillis();
        writer.scheduleWithFixedDelay(this::enforceRetention, every, every, TimeUnit.MILLISECONDS);
    }

    /** Called with every finished (or failed) file, for a record-done webhook; on the writer thread. */
    public void onFileDone(Consumer<RecordingDone> consumer) {
        this.onFileDone = consumer;
    }

    /** The files on disk, for the list/download/delete API. */
    public RecordingFiles files() {
        return files;
    }

    /**
     * Applies changed rules to the live streams: one now named starts recording, one no longer
     * named stops (its file is finished), a changed policy applies from the next file. Retention
     * runs too. Any thread.
     */
    public void reconsider() {
        if (!started) {
            return;
        }
        for (Stream s : hub.streams()) {
            Recorder r = active.get(s.key());
            Optional<RecordPolicy> p = s.isDerived() ? Optional.empty() : policies.apply(s.key());
            if (r == null) {
                p.ifPresent(x -> maybeRecord(s));
            } else if (p.isEmpty()) {
                log.info("recording of {} stopped: no rule records it any more", s.key());
                r.stop();
            } else if (!p.get().equals(r.policy())) {
                r.policy(p.get());
            }
        }
        writer.execute(this::enforceRetention);
    }

    private void maybeRecord(Stream stream) {
        StreamKey key = stream.key();
        if (stream.isDerived() || active.containsKey(key)) {
            return;
        }
        Optional<RecordPolicy> policy = policies.apply(key);
        if (policy.isEmpty()) {
            return;
        }
        if (!RecordingNames.safe(key)) {
            log.warn("not recording {}: its names cannot be file names (A-Z a-z 0-9 _ . ~ -)", key);
            return;
        }
        Recorder r = new Recorder(key, dir, policy.get(), writer, new Recorder.Counters() {
            @Override
            public void written(long n) {
                bytes.addAndGet(n);
            }

            @Override
            public void failed() {
                failures.incrementAndGet();
            }

            @Override
            public void opened(Path file) {
                open.add(file);
            }

            @Override
            public void closed(Path file) {
                open.remove(file);
            }
        }, d -> {
            done.incrementAndGet();
            onFileDone.accept(d);
            enforceRetention(d.key());
        }, rec -> active.remove(rec.key(), rec));
        if (active.putIfAbsent(key, r) != null) {
            return;
        }
        try {
            Subscription sub = hub.subscribe(key, r);
            writer.execute(() -> r.start(sub));
        } catch (HubException e) {
            active.remove(key, r);
            log.warn("cannot record {}: {}", key, e.getMessage());
        }
    }

    /** Deletes what the streams' policies no longer keep. On the writer thread. */
    void enforceRetention() {
        try {
            for (String[] k : files.streams()) {
                enforceRetention(new StreamKey(k[0], k[1], k[2]));
            }
        } catch (RuntimeException e) {
            log.warn("recording retention failed: {}", e.toString());
        }
    }

    private void enforceRetention(StreamKey key) {
        Optional<RecordPolicy> p = policies.apply(key);
        if (p.isEmpty() || !p.get().hasRetention()) {
            return; // no rule: nothing is deleted on its behalf
        }
        List<Retention.Entry> finished = files.ofStream(key.vhost(), key.app(), key.stream()).stream()
                .filter(e -> !e.recording())
                .map(e -> new Retention.Entry(e.file(), e.bytes(), e.modifiedAt()))
                .toList();
        for (Retention.Entry e : Retention.expired(finished, p.get(), clock.instant())) {
            if (files.delete(key.vhost(), key.app(), key.stream(), e.name()) == RecordingFiles.Deleted.DELETED) {
                deleted.incrementAndGet();
                log.info("recording {}/{} deleted by retention ({} bytes, last written {})", key, e.name(), e.bytes(),
                        e.modified());
            }
        }
    }

    /** Runs retention now and waits for it (tests, tools). */
    public void enforceRetentionNow() {
        writer.submit((Runnable) this::enforceRetention).syncUninterruptibly();
    }

    public long bytesWritten() {
        return bytes.get();
    }

    public long failures() {
        return failures.get();
    }

    public long filesDone() {
        return done.get();
    }

    /** Files deleted by retention. */
    public long filesDeleted() {
        return deleted.get();
    }

    public int recording() {
        return active.size();
    }

    /** Keys being recorded now. */
    public List<StreamKey> keys() {
        return List.copyOf(active.keySet());
    }

    /** Ends every recording (files closed at their last fragment). */
    @Override
    public void close() {
        active.values().forEach(Recorder::stop);
        writer.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
