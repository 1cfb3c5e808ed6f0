package dev.vireo.webrtc.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.webrtc.sdp.SdpCandidate;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IceLiteTest {

    @Test
    void credentialsAreRandomIceCharsOfTheRequiredLengthsAndHideThePassword() {
        SecureRandom random = new SecureRandom();
        Set<String> ufrags = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            IceCredentials c = IceCredentials.generate(random);
            assertThat(c.ufrag()).hasSize(8).matches("[A-Za-z0-9]+");
            assertThat(c.pwd()).hasSize(32).matches("[A-Za-z0-9]+");
            assertThat(c.toString()).contains(c.ufrag()).doesNotContain(c.pwd());
            ufrags.add(c.ufrag());
        }
        assertThat(ufrags).hasSize(200);
        // RFC 8839 §5.4 lengths and characters
        assertThatThrownBy(() -> new IceCredentials("abc", "x".repeat(22))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IceCredentials("abcd", "x".repeat(21))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IceCredentials("ab:d", "x".repeat(22))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new IceCredentials("a+/d", "+/".repeat(11)).ufrag()).isEqualTo("a+/d");
    }

    @Test
    void configuredCandidatesParseWithOptionalPortsAndIpv6Brackets() {
        assertThat(HostCandidates.parse(" 203.0.113.7, media.Example.com:40000 ,[2001:db8::7]:8000,[2001:db8::8],"))
                .containsExactly(new HostCandidates.Advertised("203.0.113.7", 0),
                        new HostCandidates.Advertised("media.example.com", 40_000),
                        new HostCandidates.Advertised("2001:db8::7", 8000),
                        new HostCandidates.Advertised("2001:db8::8", 0));
        assertThat(HostCandidates.parse("")).isEmpty();
        assertThat(HostCandidates.parse(null)).isEmpty();
        assertThatThrownBy(() -> HostCandidates.parse("host:0")).hasMessageContaining("'host:0'");
        assertThatThrownBy(() -> HostCandidates.parse("host:http")).hasMessageContaining("port");
        assertThatThrownBy(() -> HostCandidates.parse("[2001:db8::1")).hasMessageContaining("]");
        assertThatThrownBy(() -> HostCandidates.parse("bad host")).hasMessageContaining("not an address");
    }

    @Test
    void configuredCandidatesAreAdvertisedInOrderWithTheMediaPortByDefault() {
        List<SdpCandidate> c = HostCandidates.resolve(
                HostCandidates.parse("203.0.113.7, 198.51.100.2:40000, 203.0.113.7"), "0.0.0.0", 8000);
        assertThat(c).extracting(SdpCandidate::sdpValue).containsExactly(
                // RFC 8445 §5.1.2.1: 2^24 * 126 + 2^8 * 65535 + 255, then one local preference less
                "1 1 udp 2130706431 203.0.113.7 8000 typ host",
                "2 1 udp 2130706175 198.51.100.2 40000 typ host");
    }

    @Test
    void detectedCandidatesEndWithLoopbackAndABoundAddressIsTheOnlyOne() {
        List<SdpCandidate> detected = HostCandidates.resolve(List.of(), "0.0.0.0", 8000);
        assertThat(detected).isNotEmpty();
        assertThat(detected.getLast().address()).isEqualTo("127.0.0.1");
        assertThat(detected).allSatisfy(c -> assertThat(c.port()).isEqualTo(8000));
        assertThat(detected).extracting(SdpCandidate::address).doesNotHaveDuplicates()
                .allSatisfy(a -> assertThat(a).doesNotContain(":")); // IPv4 only on an IPv4 socket
        assertThat(HostCandidates.resolve(List.of(), "127.0.0.1", 9000))
                .extracting(c -> c.address() + ":" + c.port()).containsExactly("127.0.0.1:9000");
    }

    @Test
    void consentExpiresAfterTheTimeoutWithoutValidChecks() {
        ConsentFreshness c = new ConsentFreshness(30_000_000_000L, 0);
        assertThat(c.expired(29_000_000_000L)).isFalse();
        assertThat(c.everChecked()).isFalse();
        assertThat(c.expired(30_000_000_001L)).isTrue();
        c.onValidCheck(25_000_000_000L);
        assertThat(c.everChecked()).isTrue();
        assertThat(c.expired(50_000_000_000L)).isFalse();
        assertThat(c.sinceLastCheck(50_000_000_000L)).isEqualTo(25_000_000_000L);
        assertThat(c.expired(55_000_000_001L)).isTrue();
    }
}
