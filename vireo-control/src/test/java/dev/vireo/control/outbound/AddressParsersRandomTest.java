package dev.vireo.control.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.control.access.AuthThrottle;
import java.net.InetAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The address parsers of issue 17 on random input: they answer (an address, null, or an
 * IllegalArgumentException for allow-lists) and never fail otherwise; every dotted quad reads as
 * itself; a throttle key never grows past an address.
 */
class AddressParsersRandomTest {

    private static final String ALPHABET = "0123456789abcdefx.:/[]%-ABCDEFX lochst";

    private static String random(SplittableRandom r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(0, 40);
        for (int i = 0; i < n; i++) {
            s.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    @Test
    void randomInputIsAnsweredWithoutSurprises() {
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 50_000; i++) {
            String s = random(r);
            InetAddress a = Ipv4Forms.parse(s);
            if (a != null) {
                assertThat(a.getAddress()).hasSize(4);
            }
            OutboundPolicy.hostAddress(s);
            assertThat(AuthThrottle.key(s).length()).isLessThanOrEqualTo(Math.max(s.length(), 45));
            try {
                OutboundPolicy.validate(s);
            } catch (IllegalArgumentException expected) {
                // a refused allow-list, with its reason
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void anAllowListThatValidatesMakesAPolicy() {
        // HostFormsJazzerTest's finding: validate() passed "\u0003\u0007:1" (no \\s in it), the
        // policy trimmed the control characters off and refused ":1" when the server started
        for (String list : new String[] {"\u0003\u0007:1", "\u001f10.0.0.0/8", "127.0.0.1:9000\u0001"}) {
            boolean valid;
            try {
                OutboundPolicy.validate(list);
                valid = true;
            } catch (IllegalArgumentException refused) {
                valid = false;
            }
            boolean builds;
            try {
                OutboundPolicy.of(list);
                builds = true;
            } catch (IllegalArgumentException refused) {
                builds = false;
            }
            assertThat(builds).as("%s", list).isEqualTo(valid);
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> OutboundPolicy.validate("\u0003\u0007:1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyDottedQuadReadsAsItself() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 10_000; i++) {
            String quad = r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
            assertThat(Ipv4Forms.parse(quad)).isEqualTo(InetAddress.getByName(quad));
            assertThat(AuthThrottle.key("/" + quad + ":" + r.nextInt(1, 65_536))).isEqualTo(quad);
        }
    }
}
