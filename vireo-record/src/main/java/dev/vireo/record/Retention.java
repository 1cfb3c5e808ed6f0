package dev.vireo.record;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which finished recordings of one stream a {@link RecordPolicy} deletes: those that ended longer
 * ago than {@code maxAge}, then the oldest until the rest fits in {@code maxBytes}. A file being
 * written is never deleted (nor counted). Pure.
 */
final class Retention {

    /** A finished file: its name, size and when it was last written. */
    record Entry(String name, long bytes, Instant modified) {
    }

    private Retention() {
    }

    static List<Entry> expired(List<Entry> finished, RecordPolicy policy, Instant now) {
        List<Entry> byAge = new ArrayList<>(finished);
        byAge.sort(Comparator.comparing(Entry::modified).thenComparing(Entry::name));
        List<Entry> out = new ArrayList<>();
        List<Entry> kept = new ArrayList<>();
        for (Entry e : byAge) {
            if (!policy.maxAge().isZero() && e.modified().plus(policy.maxAge()).isBefore(now)) {
                out.add(e);
            } else {
                kept.add(e);
            }
        }
        if (policy.maxBytes() > 0) {
            long total = kept.stream().mapToLong(Entry::bytes).sum();
            for (Entry e : kept) {
                if (total <= policy.maxBytes()) {
                    break;
                }
                out.add(e);
                total -= e.bytes();
            }
        }
        return out;
    }
}
