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
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recording (DVR): every ingested stream that the {@link RecordRules} name is recorded from its
 * publish on, to {@code {dir}/{vhost}/{app}/{stream}/{UTC start}.mp4}, by one {@link Recorder}
 * per stream. Transcoded outputs (derived streams) are not recorded. File writes run on one
 * thread of their own, never on an event loop.
 */
public final class Recordings implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Recordings.class);

    private final StreamHub hub;
    private final Path dir;
    private final RecordRules rules;
    private final EventExecutor writer = new DefaultEventExecutor(new DefaultThreadFactory("vireo-record", true));
    private final ConcurrentHashMap<StreamKey, Recorder> active = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong files = new AtomicLong();
    private volatile Consumer<RecordingDone> onFileDone = d -> { };

    public Recordings(StreamHub hub, Path dir, RecordRules rules) {
        this.hub = hub;
        this.dir = dir;
        this.rules = rules;
    }

    /** Starts listening to publishes; a no-op when no pattern is set. */
    public void start() {
        if (!rules.any()) {
            return;
        }
        log.info("recording streams {} to {} (a new file every {} s)", rules.patterns(), dir, rules.rotate().toSeconds());
        hub.addListener(new HubListener() {
            @Override
            public void onPublish(Stream stream, String sessionId) {
                maybeRecord(stream);
            }
        });
    }

    /** Called with every finished file (for a record-done webhook); on the writer thread. */
    public void onFileDone(Consumer<RecordingDone> consumer) {
        this.onFileDone = consumer;
    }

    private void maybeRecord(Stream stream) {
        StreamKey key = stream.key();
        if (stream.isDerived() || !rules.matches(key.app(), key.stream()) || active.containsKey(key)) {
            return;
        }
        Recorder r = new Recorder(key, dir, rules.rotate().toMillis(), writer, new Recorder.Counters() {
            @Override
            public void written(long n) {
                bytes.addAndGet(n);
            }

            @Override
            public void failed() {
                failures.incrementAndGet();
            }
        }, d -> {
            files.incrementAndGet();
            onFileDone.accept(d);
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

    public long bytesWritten() {
        return bytes.get();
    }

    public long failures() {
        return failures.get();
    }

    public long filesDone() {
        return files.get();
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
