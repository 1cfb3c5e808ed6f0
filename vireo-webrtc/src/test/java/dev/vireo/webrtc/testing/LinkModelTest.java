package dev.vireo.webrtc.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkModelTest {

    private static final long MS = 1_000_000L;

    @Test
    void anUnimpairedLinkPassesEverythingAtOnce() {
        LinkModel link = new LinkModel(LinkModel.Impairment.NONE, 1);
        for (int i = 0; i < 1000; i++) {
            LinkModel.Fate f = link.offer(1200, true, i * MS);
            assertThat(f.delivered()).isTrue();
            assertThat(f.departureNanos()).isEqualTo(i * MS);
        }
    }

    @Test
    void randomLossDropsAboutItsShareOfLossyPacketsOnly() {
        LinkModel link = new LinkModel(LinkModel.Impairment.NONE.withLoss(0.05), 42);
        int dropped = 0;
        for (int i = 0; i < 20_000; i++) {
            LinkModel.Fate f = link.offer(1200, true, i * MS);
            if (!f.delivered()) {
                assertThat(f.drop()).isEqualTo(LinkModel.Drop.RANDOM);
                dropped++;
            }
        }
        assertThat(dropped).isBetween(800, 1200);
        for (int i = 0; i < 1000; i++) {
            assertThat(link.offer(100, false, i * MS).delivered()).isTrue(); // handshakes, RTCP
        }
    }

    @Test
    void burstLossDropsRunsOfTheMeanLength() {
        LinkModel link = new LinkModel(LinkModel.Impairment.NONE.withBursts(0.01, 5), 7);
        List<Integer> runs = new ArrayList<>();
        int run = 0;
        for (int i = 0; i < 50_000; i++) {
            LinkModel.Fate f = link.offer(1200, true, i * MS);
            if (f.delivered()) {
                if (run > 0) {
                    runs.add(run);
                }
                run = 0;
            } else {
                assertThat(f.drop()).isEqualTo(LinkModel.Drop.BURST);
                run++;
            }
        }
        double mean = runs.stream().mapToInt(Integer::intValue).average().orElseThrow();
        assertThat(runs.size()).isBetween(300, 600); // ~ 50,000 * 0.01 / (1 + 0.05)
        assertThat(mean).isBetween(4.0, 6.0);
    }

    @Test
    void theBandwidthCapQueuesThenDropsAtTheTail() {
        // 1 Mbit/s: a 1,000-byte packet takes 8 ms; a 100 ms queue takes what starts within 100 ms.
        LinkModel link = new LinkModel(LinkModel.Impairment.NONE.withBandwidth(1_000_000, 100), 1);
        List<Long> departures = new ArrayList<>();
        int queueDrops = 0;
        for (int i = 0; i < 30; i++) {
            LinkModel.Fate f = link.offer(1000, true, 0);
            if (f.delivered()) {
                departures.add(f.departureNanos());
            } else {
                assertThat(f.drop()).isEqualTo(LinkModel.Drop.QUEUE_FULL);
                queueDrops++;
            }
        }
        assertThat(departures).hasSize(13).first().isEqualTo(8 * MS);
        for (int i = 1; i < departures.size(); i++) {
            assertThat(departures.get(i) - departures.get(i - 1)).isEqualTo(8 * MS);
        }
        assertThat(queueDrops).isEqualTo(17);
        // once the queue drained, packets flow again
        assertThat(link.offer(1000, true, 200 * MS).departureNanos()).isEqualTo(208 * MS);
    }

    @Test
    void jitterDelaysWithinItsBoundAndReorders() {
        LinkModel link = new LinkModel(LinkModel.Impairment.NONE.withDelay(20, 30), 3);
        long previous = Long.MIN_VALUE;
        int overtaken = 0;
        for (int i = 0; i < 1000; i++) {
            long now = i * MS;
            long leave = link.offer(200, false, now).departureNanos();
            assertThat(leave - now).isBetween(20 * MS, 50 * MS);
            if (leave < previous) {
                overtaken++;
            }
            previous = leave;
        }
        assertThat(overtaken).isGreaterThan(100);
    }

    @Test
    void refusesImpossibleImpairments() {
        assertThatThrownBy(() -> LinkModel.Impairment.NONE.withLoss(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinkModel.Impairment.NONE.withBursts(0.1, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
