package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CNAME check resolves against an in-process DNS server. */
@Timeout(60)
class CnameCheckTest {

    @TempDir
    Path dir;

    @Test
    void reportsWhetherTheCnameReachesTheAssignedTarget() throws Exception {
        try (DnsResponder dns = new DnsResponder();
             TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withDnsServer(dns.address(), Duration.ofSeconds(2)))) {
            t.addDomain("push.example.com", "ingest");
            t.addDomain("play.example.com", "streaming");
            t.addDomain("cdn.example.com", "streaming");
            dns.cname("push.example.com", "push.example.com.cname.vireo.test");
            dns.cname("play.example.com", "elsewhere.example.net");
            dns.cname("cdn.example.com", "edge.example.org");
            dns.cname("edge.example.org", "cdn.example.com.cname.vireo.test");

            JsonNode ok = t.call("POST", "/api/v1/domains/push.example.com/cname-check", null).json();
            assertThat(ok.get("configured").asBoolean()).isTrue();
            assertThat(ok.get("expected").asText()).isEqualTo("push.example.com.cname.vireo.test");
            assertThat(ok.get("found").get(0).asText()).isEqualTo("push.example.com.cname.vireo.test");
            assertThat(ok.get("rcode").asText()).isEqualTo("NOERROR");
            assertThat(t.call("GET", "/api/v1/domains/push.example.com", null).json().get("cnameStatus").asText())
                    .isEqualTo("configured");

            JsonNode wrong = t.call("POST", "/api/v1/domains/play.example.com/cname-check", null).json();
            assertThat(wrong.get("configured").asBoolean()).isFalse();
            assertThat(wrong.get("found").get(0).asText()).isEqualTo("elsewhere.example.net");
            assertThat(t.call("GET", "/api/v1/domains/play.example.com", null).json().get("cnameStatus").asText())
                    .isEqualTo("missing");

            JsonNode chained = t.call("POST", "/api/v1/domains/cdn.example.com/cname-check", null).json();
            assertThat(chained.get("configured").asBoolean()).isTrue();
            assertThat(chained.get("found")).hasSize(2);

            t.addDomain("none.example.com", "ingest");
            JsonNode missing = t.call("POST", "/api/v1/domains/none.example.com/cname-check", null).json();
            assertThat(missing.get("configured").asBoolean()).isFalse();
            assertThat(missing.get("rcode").asText()).isEqualTo("NXDOMAIN");
            assertThat(missing.get("found")).isEmpty();
            assertThat(dns.queries()).isEqualTo(4);
        }
    }

    @Test
    void anUnreachableNameServerIsReportedNotHung() throws Exception {
        DnsResponder dns = new DnsResponder();
        java.net.InetSocketAddress gone = dns.address();
        dns.close();
        try (TestPlane t = new TestPlane(dir, Clock.systemUTC(), c -> c.withDnsServer(gone, Duration.ofMillis(500)))) {
            t.addDomain("push.example.com", "ingest");
            TestPlane.Answer a = t.call("POST", "/api/v1/domains/push.example.com/cname-check", null);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.json().get("configured").asBoolean()).isFalse();
            assertThat(a.json().get("rcode").asText()).isIn("TIMEOUT", "ERROR");
        }
    }
}
