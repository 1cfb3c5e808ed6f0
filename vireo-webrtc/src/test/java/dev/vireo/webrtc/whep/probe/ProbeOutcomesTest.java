package dev.vireo.webrtc.whep.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.bwe.ProbeBitrateEstimator;
import dev.vireo.webrtc.bwe.ProbeBitrateEstimator.Verdict;
import dev.vireo.webrtc.bwe.ProbeCluster;
import dev.vireo.webrtc.whep.probe.ProbeOutcomes.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting what became of a viewer's probe clusters: per outcome, the last verdict's rates, the listener. */
class ProbeOutcomesTest {

    private final List<Outcome> told = new ArrayList<>();
    private final ProbeOutcomes outcomes = new ProbeOutcomes(told::add);

    private static ProbeBitrateEstimator.Result result(int id, long bps, Verdict verdict, long sent, long delivered) {
        return new ProbeBitrateEstimator.Result(new ProbeCluster(id, bps, 5, 1000), verdict, sent, delivered,
                verdict == Verdict.LOSS ? 0.4 : 0, verdict == Verdict.CAME_THROUGH ? delivered : -1);
    }

    @Test
    void nothingYet() {
        assertThat(outcomes.stats()).isEqualTo(ProbeClusterStats.NONE);
        assertThat(told).isEmpty();
    }

    @Test
    void eachOutcomeIsCountedAndTheLastVerdictKeepsItsRates() {
        outcomes.abandoned();
        for (int i = 0; i < 5; i++) {
            outcomes.sent();
        }
        outcomes.verdict(result(1, 600_000, Verdict.CAME_THROUGH, 590_000, 580_000));
        outcomes.verdict(result(2, 1_200_000, Verdict.CAME_THROUGH, 1_190_000, 1_150_000));
        outcomes.verdict(result(3, 2_400_000, Verdict.DELAY_GROWTH, 2_380_000, 1_000_000));
        outcomes.verdict(result(4, 1_000_000, Verdict.LOSS, 990_000, 700_000));
        outcomes.verdict(result(5, 1_000_000, Verdict.TOO_FEW, 990_000, -1));

        assertThat(outcomes.stats()).isEqualTo(new ProbeClusterStats(5, 1, 2, 1, 1, 1, 0, "too_few", 1_000_000, 990_000,
                -1));
        assertThat(outcomes.count(Outcome.CAME_THROUGH)).isEqualTo(2);
        assertThat(told).containsExactly(Outcome.ABANDONED, Outcome.SENT, Outcome.SENT, Outcome.SENT, Outcome.SENT,
                Outcome.SENT, Outcome.CAME_THROUGH, Outcome.CAME_THROUGH, Outcome.DELAY_GROWTH, Outcome.LOSS,
                Outcome.TOO_FEW);

        outcomes.verdict(result(6, 800_000, Verdict.INVALID, -1, -1));
        ProbeClusterStats s = outcomes.stats();
        assertThat(s.invalid()).isEqualTo(1);
        assertThat(s.lastVerdict()).isEqualTo("invalid");
        assertThat(s.lastTargetBps()).isEqualTo(800_000);
        assertThat(s.lastDeliveredBps()).isEqualTo(-1);
    }

    @Test
    void everyVerdictHasItsOwnOutcomeAndTag() {
        for (Verdict v : Verdict.values()) {
            assertThat(Outcome.of(v).name()).isEqualTo(v.name());
        }
        assertThat(Outcome.CAME_THROUGH.tag()).isEqualTo("came_through");
        assertThat(Outcome.SENT.tag()).isEqualTo("sent");
    }
}
