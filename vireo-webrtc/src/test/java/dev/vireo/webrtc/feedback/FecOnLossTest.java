package dev.vireo.webrtc.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.webrtc.rtcp.ReceiverReport;
import dev.vireo.webrtc.rtcp.ReportBlock;
import java.util.List;
import org.junit.jupiter.api.Test;

class FecOnLossTest {

    private static ReceiverReport rr(int ssrc, double loss) {
        return new ReceiverReport(1, List.of(new ReportBlock(ssrc, (int) Math.round(loss * 256), 0, 0, 0, 0, 0)));
    }

    @Test
    void onAboveThreeOffUnderOnePercentWithDenserKeyframes() {
        FecOnLoss fec = new FecOnLoss(42);
        assertThat(fec.groupSize(false)).isZero();
        fec.handle(rr(42, 0.02), 0);
        assertThat(fec.on()).isFalse();
        fec.handle(rr(7, 0.5), 0); // another stream's block
        assertThat(fec.on()).isFalse();
        fec.handle(rr(42, 0.10), 0); // 0.02 + 0.4 * 0.08 = 0.052
        assertThat(fec.on()).isTrue();
        assertThat(fec.groupSize(false)).isEqualTo(10); // 1 / (2 * 0.052)
        assertThat(fec.groupSize(true)).isEqualTo(5);
        for (int i = 0; i < 10; i++) {
            fec.handle(rr(42, 0.10), 0);
        }
        assertThat(fec.groupSize(false)).isEqualTo(5);
        // hysteresis: 2 % keeps it on, under 1 % turns it off
        for (int i = 0; i < 10; i++) {
            fec.handle(rr(42, 0.02), 0);
        }
        assertThat(fec.on()).isTrue();
        assertThat(fec.groupSize(false)).isEqualTo(17); // the threshold's group, not a sparser one
        for (int i = 0; i < 10; i++) {
            fec.handle(rr(42, 0.0), 0);
        }
        assertThat(fec.on()).isFalse();
        assertThat(fec.switches()).isEqualTo(2);
        // heavy loss: the densest group, two media packets per FEC packet
        for (int i = 0; i < 10; i++) {
            fec.handle(rr(42, 0.4), 0);
        }
        assertThat(fec.groupSize(false)).isEqualTo(2);
        assertThat(fec.groupSize(true)).isEqualTo(2);
    }
}
