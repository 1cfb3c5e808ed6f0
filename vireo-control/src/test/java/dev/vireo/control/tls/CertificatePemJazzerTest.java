package dev.vireo.control.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.CertificateBundle;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of a tenant's certificate upload (issue 17): {@link CertificatePem}, i.e.
 * BouncyCastle's PEM reader, the JDK's X.509 and key factories and the checks after them. Only an
 * {@link ApiException} with status 400 escapes ({@code MissingParameter} or
 * {@code InvalidCertificate.*}), with a reason that quotes no line of the private key; an accepted
 * upload has a chain of 1 to {@link CertificatePem#MAX_CHAIN} certificates whose leaf is valid at
 * the given time and covers the domain.
 *
 * <p>Input: byte 0 bit 0 clear: the rest is text, the certificate PEM up to the first NUL and the
 * key PEM after it; set: DER, {@code certificate length (2), certificate, key}, armored here
 * (the DER mutates better than its base64): the key as PKCS#8 {@code PRIVATE KEY}, {@code RSA
 * PRIVATE KEY}, {@code EC PRIVATE KEY} or {@code ENCRYPTED PRIVATE KEY} by bits 1-2, bit 3 sends
 * the certificate twice (a chain). Seeds in {@code CertificatePemJazzerTestInputs/} made with
 * OpenSSL 3 ({@code req -x509}: RSA 2048 with SANs and a wildcard, P-256 as SEC1 and PKCS#8,
 * Ed25519, an RSA PKCS#1 key, a two-certificate chain); {@code JAZZER_FUZZ=1} fuzzes
 * (docs/RELIABILITY.md).
 */
class CertificatePemJazzerTest {

    private static final String DOMAIN = "play.example.com";
    /** Inside the seeds' validity (OpenSSL's -days 36500 from 2026-12-07). */
    private static final Instant NOW = Instant.parse("2027-06-01T00:00:00Z");
    private static final String[] KEY_LABELS = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"};

    @Test
    void theOpenSslSeedsAreAccepted() throws Exception {
        for (String seed : List.of("openssl-rsa-pkcs8-san-wildcard", "openssl-rsa-pkcs1", "openssl-p256-sec1",
                "openssl-ed25519-san", "openssl-chain-p256-then-rsa", "der-p256-pkcs8", "der-p256-sec1",
                "der-rsa-pkcs1-chain", "der-ed25519")) {
            try (var in = getClass().getResourceAsStream("CertificatePemJazzerTestInputs/upload/" + seed)) {
                assertThat(check(in.readAllBytes())).as(seed).isNotNull();
            }
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void upload(byte[] data) {
        check(data);
    }

    /** The accepted upload, or null when refused; asserts the contract either way. */
    private static CertificateBundle check(byte[] data) {
        if (data.length == 0) {
            return null;
        }
        int mode = data[0] & 0xFF;
        String cert;
        String key;
        if ((mode & 1) == 0) {
            String text = new String(data, 1, data.length - 1, StandardCharsets.ISO_8859_1);
            int nul = text.indexOf('\0');
            cert = nul < 0 ? text : text.substring(0, nul);
            key = nul < 0 ? "" : text.substring(nul + 1);
        } else {
            int len = data.length >= 3 ? Math.min(((data[1] & 0xFF) << 8) | (data[2] & 0xFF), data.length - 3) : 0;
            byte[] der = Arrays.copyOfRange(data, Math.min(3, data.length), Math.min(3, data.length) + len);
            cert = pem("CERTIFICATE", der);
            if ((mode & 8) != 0) {
                cert += pem("CERTIFICATE", der);
            }
            key = pem(KEY_LABELS[(mode >>> 1) & 3], Arrays.copyOfRange(data, Math.min(3 + len, data.length), data.length));
        }
        CertificateBundle bundle;
        try {
            bundle = CertificatePem.validate(DOMAIN, cert, key, NOW);
        } catch (ApiException refused) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.code().equals("MissingParameter") || refused.code().startsWith("InvalidCertificate."))
                    .as("code %s", refused.code()).isTrue();
            String message = refused.getMessage();
            assertThat(message).isNotBlank();
            for (String line : key.split("\n")) {
                if (line.strip().length() >= 16 && !line.startsWith("-----")) {
                    assertThat(message).as("the reason quotes no line of the key").doesNotContain(line.strip());
                }
            }
            return null;
        }
        assertThat(bundle.chain()).hasSizeBetween(1, CertificatePem.MAX_CHAIN);
        assertThat(bundle.privateKey()).isNotNull();
        assertThat(CertificatePem.covers(bundle.leaf(), DOMAIN)).isTrue();
        assertThat(bundle.leaf().getNotBefore().toInstant()).isBeforeOrEqualTo(NOW);
        assertThat(bundle.leaf().getNotAfter().toInstant()).isAfterOrEqualTo(NOW);
        return bundle;
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
