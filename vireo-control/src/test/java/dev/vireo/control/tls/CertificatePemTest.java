package dev.vireo.control.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.control.TestCerts;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.CertificateBundle;
import java.security.KeyPair;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CertificatePemTest {

    private static final Instant NOW = Instant.now();

    private static void invalid(String domain, String cert, String key, String code) {
        assertThatThrownBy(() -> CertificatePem.validate(domain, cert, key, NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void aMatchingValidCertificateIsAcceptedInEveryKeyForm() throws Exception {
        KeyPair rsa = TestCerts.rsa();
        String cert = TestCerts.certificate(rsa, NOW.minusSeconds(60), NOW.plusSeconds(3600), "play.example.com");
        CertificateBundle b = CertificatePem.validate("play.example.com", cert, TestCerts.traditionalKey(rsa), NOW);
        assertThat(b.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=play.example.com");
        assertThat(b.privateKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(b.toString()).doesNotContain("PRIVATE");
        assertThat(CertificatePem.validate("play.example.com", cert, TestCerts.pkcs8Key(rsa), NOW).notAfter())
                .isEqualTo(b.notAfter());

        KeyPair ec = TestCerts.ec();
        String ecCert = TestCerts.certificate(ec, NOW.minusSeconds(60), NOW.plusSeconds(3600), "*.example.com");
        assertThat(CertificatePem.validate("play.example.com", ecCert, TestCerts.traditionalKey(ec), NOW)
                .privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(CertificatePem.validate("a.example.com", ecCert, TestCerts.pkcs8Key(ec), NOW).chain()).hasSize(1);
    }

    @Test
    void problemsHaveTheirOwnCodes() throws Exception {
        KeyPair k = TestCerts.rsa();
        String cert = TestCerts.certificate(k, NOW.minusSeconds(60), NOW.plusSeconds(3600), "play.example.com");
        String key = TestCerts.traditionalKey(k);
        invalid("play.example.com", cert, TestCerts.traditionalKey(TestCerts.rsa()), "InvalidCertificate.KeyMismatch");
        invalid("play.example.com", cert, TestCerts.pkcs8Key(TestCerts.ec()), "InvalidCertificate.KeyMismatch");
        invalid("other.example.com", cert, key, "InvalidCertificate.DomainMismatch");
        invalid("a.b.example.com", TestCerts.certificate(k, NOW.minusSeconds(60), NOW.plusSeconds(60), "*.example.com"),
                key, "InvalidCertificate.DomainMismatch");
        invalid("play.example.com", TestCerts.certificate(k, NOW.minusSeconds(7200), NOW.minusSeconds(3600),
                "play.example.com"), key, "InvalidCertificate.Expired");
        invalid("play.example.com", TestCerts.certificate(k, NOW.plusSeconds(3600), NOW.plusSeconds(7200),
                "play.example.com"), key, "InvalidCertificate.NotYetValid");
        invalid("play.example.com", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", key,
                "InvalidCertificate.Malformed");
        invalid("play.example.com", "hello", key, "InvalidCertificate.Malformed");
        invalid("play.example.com", cert, "hello", "InvalidCertificate.Malformed");
        invalid("play.example.com", key, key, "InvalidCertificate.Malformed");
        invalid("play.example.com", cert, "", "MissingParameter");
    }
}
