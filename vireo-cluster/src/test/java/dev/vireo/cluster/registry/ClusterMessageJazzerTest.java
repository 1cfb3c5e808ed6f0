package dev.vireo.cluster.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the hints on the cluster's {@code vireo:events} channel
 * ({@link ClusterMessage#decode}; issue 17): a message decodes or is refused with
 * {@link IllegalArgumentException} (logged and dropped by the registry), and what decodes encodes
 * to a message that decodes to the same kind, sender and stream. Seeds in
 * {@code ClusterMessageJazzerTestInputs/} (the three messages as nodes publish them);
 * {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class ClusterMessageJazzerTest {

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void decode(byte[] data) {
        ClusterMessage m;
        try {
            m = ClusterMessage.decode(new String(data, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException expected) {
            return;
        }
        ClusterMessage again = ClusterMessage.decode(ClusterMessage.encode(m));
        assertThat(again.getClass()).isEqualTo(m.getClass());
        assertThat(again.from()).isEqualTo(m.from());
        switch (m) {
            case ClusterMessage.ClaimChanged c -> assertThat(((ClusterMessage.ClaimChanged) again).key()).isEqualTo(c.key());
            case ClusterMessage.Kick k -> assertThat(((ClusterMessage.Kick) again).key()).isEqualTo(k.key());
            case ClusterMessage.ConfigChanged c -> {
            }
        }
    }
}
