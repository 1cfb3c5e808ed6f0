package dev.vireo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS listener picks each domain's uploaded certificate by SNI and refuses other names. */
@Timeout(60)
class HttpsSniTest {

    private static final String A = "a.example.com";
    private static final String B = "b.example.com";

    @TempDir
    Path dir;

    private VireoServer server;
    private VireoServer.BoundPorts ports;
    private String adminKey;
    private final HttpClient api = HttpClient.newHttpClient();

    /** A self-signed certificate for one name, with its key, as uploaded (PEM). */
    record TestCert(X509Certificate certificate, String certificatePem, String privateKeyPem) {
        static TestCert selfSigned(String name) throws Exception {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = g.generateKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(System.nanoTime()),
                    Date.from(Instant.now().minusSeconds(3600)), Date.from(Instant.now().plus(Duration.ofDays(30))),
                    subject, keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new TestCert(cert, pem(cert), pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
        }

        private static String pem(Object o) throws IOException {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(o);
            }
            return out.toString();
        }
    }

    @BeforeEach
    void start() {
        server = new VireoServer(TestConfigs.loopback(dir.resolve("data")).withHttpsPort(0));
        ports = server.start();
        adminKey = server.control().generatedAdminKey().orElseThrow();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void eachDomainGetsItsOwnCertificateAndOtherNamesAreRefused() throws Exception {
        assertThat(ports.https()).isPositive().isNotEqualTo(ports.http());
        TestCert a = TestCert.selfSigned(A);
        TestCert b = TestCert.selfSigned(B);
        createDomain(A);
        createDomain(B);
        upload(A, a);
        upload(B, b);
        TestCert[] trusting = {a, b};

        assertThat(healthz(trusting, A)).isEqualTo(new Presented(a.certificate(), "HTTP/1.1 200 OK"));
        assertThat(healthz(trusting, B)).isEqualTo(new Presented(b.certificate(), "HTTP/1.1 200 OK"));

        // A name without a certificate, and no SNI at all: the handshake is refused, not answered.
        assertThatThrownBy(() -> healthz(trusting, "unknown.example.com")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> healthz(trusting, null)).isInstanceOf(IOException.class);

        // The listener keeps serving the good names.
        assertThat(healthz(trusting, A).status()).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void aReplacedCertificateIsPresentedFromTheNextHandshake() throws Exception {
        TestCert first = TestCert.selfSigned(A);
        TestCert second = TestCert.selfSigned(A);
        createDomain(A);
        upload(A, first);
        TestCert[] trusting = {first, second};
        assertThat(healthz(trusting, A).certificate()).isEqualTo(first.certificate());

        upload(A, second);
        Supplier<X509Certificate> presented = () -> {
            try {
                return healthz(trusting, A).certificate();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Await.until("the new certificate is presented", () -> presented.get().equals(second.certificate()));

        Api.call(api, ports, adminKey, "DELETE", "/api/v1/domains/" + A + "/certificate", null, 204, 200);
        Await.until("the deleted certificate is no longer presented", () -> {
            try {
                healthz(trusting, A);
                return false;
            } catch (IOException e) {
                return true;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void curlGetsHttp2ThroughAlpnAndHttp11WhenItAsksForIt() throws Exception {
        TestCert a = TestCert.selfSigned(A);
        createDomain(A);
        upload(A, a);
        Path ca = dir.resolve("a.pem");
        java.nio.file.Files.writeString(ca, a.certificatePem());
        // curl (nghttp2) is the real HTTP/2 peer: ALPN h2, then every route as before, one stream each
        assertThat(curl(ca, "--http2", "/healthz")).isEqualTo("2 200");
        assertThat(curl(ca, "--http1.1", "/healthz")).isEqualTo("1.1 200");
        // a refusal travels as well (the playlist of a streaming domain with no ingest domain)
        assertThat(curl(ca, "--http2", "/live/demo/llhls.m3u8")).isEqualTo("2 403");
    }

    /** "{http version} {status}" of a GET to {@code path} on domain A through curl. */
    private String curl(Path ca, String version, String path) throws Exception {
        String port = String.valueOf(ports.https());
        Ffmpeg.Result r = Ffmpeg.run(List.of(dev.vireo.core.testing.Peers.require("curl"), "-sS", version,
                "--cacert", ca.toString(), "--resolve", A + ":" + port + ":127.0.0.1", "-o", "/dev/null",
                "-w", "%{http_version} %{http_code}", "https://" + A + ":" + port + path), dir, 30);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout().strip();
    }

    private record Presented(X509Certificate certificate, String status) {
    }

    /**
     * GET /healthz over TLS to 127.0.0.1 with {@code sni} as the SNI name (null: none sent), trusting
     * {@code trusted}. A new client context each time: the JDK caches client sessions by address and
     * port (the same 127.0.0.1 for every name here) and would resume another name's session.
     */
    private Presented healthz(TestCert[] trusted, String sni) throws Exception {
        SSLContext context = trusting(trusted);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", ports.https())) {
            socket.setSoTimeout(10_000);
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(sni == null ? List.<SNIServerName>of() : List.of(new SNIHostName(sni)));
            socket.setSSLParameters(params);
            socket.startHandshake();
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return new Presented(leaf, in.readLine());
        }
    }

    private static SSLContext trusting(TestCert... certs) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (int i = 0; i < certs.length; i++) {
            trust.setCertificateEntry("c" + i, certs[i].certificate());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private void createDomain(String name) throws Exception {
        Api.call(api, ports, adminKey, "POST", "/api/v1/domains",
                "{\"domain\":\"" + name + "\",\"type\":\"streaming\"}", 201, 200);
    }

    private void upload(String domain, TestCert cert) throws Exception {
        String body = "{\"certificate\":" + json(cert.certificatePem()) + ",\"privateKey\":" + json(cert.privateKeyPem()) + "}";
        Api.call(api, ports, adminKey, "PUT", "/api/v1/domains/" + domain + "/certificate", body, 200, 201);
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    /** The admin API over plain HTTP. */
    private static final class Api {
        static String call(HttpClient client, VireoServer.BoundPorts ports, String key, String method, String path,
                           String body, int... expected) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.http() + path))
                    .header("Authorization", "Bearer " + key)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                r.header("Content-Type", "application/json");
            }
            HttpResponse<String> answer = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isIn(toList(expected));
            return answer.body();
        }

        private static List<Integer> toList(int[] values) {
            return java.util.Arrays.stream(values).boxed().toList();
        }
    }
}
