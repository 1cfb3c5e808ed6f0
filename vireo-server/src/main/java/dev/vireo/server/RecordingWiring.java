package dev.vireo.server;

import dev.vireo.control.model.ControlSnapshot;
import dev.vireo.control.model.RecordRule;
import dev.vireo.control.record.RecordingAccess;
import dev.vireo.core.StreamKey;
import dev.vireo.record.RecordFormat;
import dev.vireo.record.RecordPolicy;
import dev.vireo.record.RecordRules;
import dev.vireo.record.RecordingFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Recording between the control plane and {@code vireo-record} (neither imports the other): which
 * policy a stream follows — its most specific rule of the admin API (a disabled one: not
 * recorded), else the {@code record.streams} setting (fMP4, {@code record.rotate}, nothing
 * deleted) — and the recording files as the recordings API sees them.
 */
final class RecordingWiring {

    private RecordingWiring() {
    }

    static Optional<RecordPolicy> policy(ControlSnapshot control, RecordRules settings, StreamKey key) {
        Optional<RecordRule> rule = control.recordRule(key);
        if (rule.isPresent()) {
            RecordRule r = rule.get();
            return r.enabled() ? Optional.of(new RecordPolicy(RecordFormat.parse(r.format()),
                    Duration.ofSeconds(r.rotateSeconds()), Duration.ofSeconds(r.maxAgeSeconds()), r.maxTotalBytes()))
                    : Optional.empty();
        }
        return settings.matches(key.app(), key.stream()) ? Optional.of(RecordPolicy.keepAll(settings.rotate()))
                : Optional.empty();
    }

    static RecordingAccess access(RecordingFiles files) {
        return new RecordingAccess() {
            @Override
            public List<Item> list(Predicate<String> vhosts, String app, String stream, int limit) {
                return files.list(vhosts, app, stream, limit).stream().map(RecordingWiring::item).toList();
            }

            @Override
            public Optional<Item> find(String vhost, String app, String stream, String file) {
                return files.find(vhost, app, stream, file).map(RecordingWiring::item);
            }

            @Override
            public Path path(Item item) {
                return files.find(item.domain(), item.app(), item.stream(), item.file()).map(files::pathOf)
                        .orElseThrow(() -> new IllegalStateException("recording gone: " + item.file()));
            }

            @Override
            public Deleted delete(String vhost, String app, String stream, String file) {
                return switch (files.delete(vhost, app, stream, file)) {
                    case DELETED -> Deleted.DELETED;
                    case NOT_FOUND -> Deleted.NOT_FOUND;
                    case RECORDING -> Deleted.RECORDING;
                };
            }
        };
    }

    private static RecordingAccess.Item item(RecordingFiles.Entry e) {
        return new RecordingAccess.Item(e.vhost(), e.app(), e.stream(), e.file(), e.format().wire(), e.bytes(),
                e.startedAt().toString(), e.modifiedAt().toString(), e.recording());
    }
}
