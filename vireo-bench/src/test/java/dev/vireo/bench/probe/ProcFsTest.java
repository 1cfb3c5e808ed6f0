package dev.vireo.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void cpuTicksAreUtimePlusStimeCountedFromTheLastParenthesis() {
        // comm with a space and a ')' inside, as a thread name can have
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 12345 0 7 0 1500 250 3 4 20 0 38 0 "
                + "123456 5000000000 60000 18446744073709551615 1 1 0 0 0 0 0 3 16800972 0 0 0 17 1 0 0 0 0 0";
        assertThat(ProcFs.parseCpuTicks(stat)).isEqualTo(1750);
        assertThat(ProcFs.parseUserTicks(stat)).isEqualTo(1500);
    }

    @Test
    void vmRssIsReadInKilobytes() {
        String status = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 9000000 kB\nVmRSS:\t  345678 kB\nRssAnon:\t 300000 kB\n";
        assertThat(ProcFs.parseVmRssKb(status)).isEqualTo(345678);
        assertThat(ProcFs.parseVmRssKb("Name:\tkthreadd\n")).isZero();
    }

    @Test
    void cpuPercentIsCoresTimesHundred() {
        long tick = ProcFs.CLOCK_TICKS_PER_SECOND;
        ProcFs.Usage before = new ProcFs.Usage(1000, 0);
        ProcFs.Usage after = new ProcFs.Usage(1000 + 3 * tick, 0); // 3 CPU-seconds
        assertThat(ProcFs.cpuPercent(before, after, 2_000_000_000L)).isCloseTo(150.0, within(1e-9));
        assertThat(after.cpuMicros() - before.cpuMicros()).isEqualTo(3_000_000L);
    }

    @Test
    void systemBusyTicksLeaveOutIdleAndIowait() {
        String stat = "cpu  100 5 50 9000 40 3 2 1 0 0\ncpu0 50 2 25 4500 20 1 1 0 0 0\nintr 123\n";
        assertThat(ProcFs.parseSystemBusyTicks(stat)).isEqualTo(100 + 5 + 50 + 3 + 2 + 1);
    }

    @Test
    void topOthersRanksByTicksAndSkipsExcluded() {
        var before = java.util.Map.of(1L, new ProcFs.NamedTicks("a", 10), 2L, new ProcFs.NamedTicks("b", 10),
                3L, new ProcFs.NamedTicks("mine", 0));
        var after = java.util.Map.of(1L, new ProcFs.NamedTicks("a", 10 + ProcFs.CLOCK_TICKS_PER_SECOND),
                2L, new ProcFs.NamedTicks("b", 10 + 2 * ProcFs.CLOCK_TICKS_PER_SECOND),
                3L, new ProcFs.NamedTicks("mine", 500), 4L, new ProcFs.NamedTicks("new", 1));
        assertThat(ProcFs.topOthers(before, after, java.util.Set.of(3L), 2_000_000_000L, 2))
                .containsExactly("b(2) 100%", "a(1) 50%");
    }

    @Test
    void readsThisProcess() {
        ProcFs.Usage u = ProcFs.usage(ProcessHandle.current().pid());
        assertThat(u).isNotNull();
        assertThat(u.rssKb()).isPositive();
        assertThat(ProcFs.treeUsage(ProcessHandle.current().pid()).rssKb()).isGreaterThanOrEqualTo(u.rssKb());
    }
}
