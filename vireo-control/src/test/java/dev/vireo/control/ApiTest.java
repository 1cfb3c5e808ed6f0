package dev.vireo.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.control.model.TemplateInfo;
import dev.vireo.core.Gate;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The REST API over real HTTP: authentication, bad input, the domain resources and URL generation. */
@Timeout(120)
class ApiTest {

    @TempDir
    static Path dir;

    private static TestPlane t;

    @BeforeAll
    static void start() {
        t = new TestPlane(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @BeforeEach
    void noDomains() {
        // Each test starts without domains (dependents first).
        for (int round = 0; round < 3; round++) {
            for (JsonNode d : t.call("GET", "/api/v1/domains", null).json().get("domains")) {
                t.call("DELETE", "/api/v1/domains/" + d.get("domain").asText() + "/association", null);
                t.call("DELETE", "/api/v1/domains/" + d.get("domain").asText(), null);
            }
        }
        assertThat(t.call("GET", "/api/v1/domains", null).json().get("domains")).isEmpty();
    }

    private static int domainCount() {
        return t.call("GET", "/api/v1/domains", null).json().get("domains").size();
    }

    private static void assertError(TestPlane.Answer a, int status, String code) {
        assertThat(a.status()).as(a.raw()).isEqualTo(status);
        assertThat(a.code()).as(a.raw()).isEqualTo(code);
        assertThat(a.json().get("message").asText()).isNotBlank();
        assertThat(a.json().get("requestId").asText()).isEqualTo(a.headers().firstValue("x-request-id").orElseThrow());
    }

    @Test
    void everyCallNeedsAValidKeyAndARefusedCallChangesNothing() {
        String body = "{\"domain\":\"push.example.com\",\"type\":\"ingest\"}";
        for (String key : new String[] {null, "", "wrong-key-0123456789", TestPlane.ADMIN_KEY + "x"}) {
            TestPlane.Answer a = t.call("POST", "/api/v1/domains", body, key);
            assertError(a, 401, "Unauthorized");
            assertThat(a.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"vireo\"");
        }
        assertError(t.call("GET", "/api/v1/domains", null, null), 401, "Unauthorized");
        assertThat(domainCount()).isZero();
        // Basic instead of Bearer is not a key either.
        TestPlane.Answer basic = t.call("GET", "/api/v1/streams", null, null);
        assertError(basic, 401, "Unauthorized");
    }

    @Test
    void theOpenApiDocumentIsPublicAndListsEveryRoute() {
        TestPlane.Answer a = t.call("GET", "/api/v1/openapi.json", null, null);
        assertThat(a.status()).isEqualTo(200);
        JsonNode paths = a.json().get("paths");
        List<String> missing = new ArrayList<>();
        for (String route : t.router.describe()) {
            String[] parts = route.split(" ", 2);
            if (!paths.has(parts[1]) || !paths.get(parts[1]).has(parts[0].toLowerCase(Locale.ROOT))) {
                missing.add(route);
            }
        }
        assertThat(missing).as("routes missing from openapi.json").isEmpty();
        int documented = 0;
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); it.next()) {
            documented++;
        }
        assertThat(documented).isGreaterThanOrEqualTo(20);
    }

    @Test
    void addingADomainAssignsItsCnameAndSignsByDefault() {
        TestPlane.Answer a = t.call("POST", "/api/v1/domains",
                "{\"domain\":\"Push.Example.com\",\"type\":\"ingest\",\"region\":\"cn-shanghai\"}");
        assertThat(a.status()).isEqualTo(201);
        assertThat(a.headers().firstValue("location")).hasValue("/api/v1/domains/push.example.com");
        JsonNode d = a.json();
        assertThat(d.get("domain").asText()).isEqualTo("push.example.com");
        assertThat(d.get("cname").asText()).isEqualTo("push.example.com.cname.vireo.test");
        assertThat(d.get("region").asText()).isEqualTo("cn-shanghai");
        assertThat(d.get("liveCenter").asText()).isEqualTo("cn-shanghai");
        assertThat(d.get("signingEnabled").asBoolean()).isTrue();
        assertThat(d.get("signingValidityMinutes").asInt()).isEqualTo(1440);
        assertThat(d.get("cnameStatus").asText()).isEqualTo("unchecked");

        JsonNode signing = t.call("GET", "/api/v1/domains/push.example.com/signing", null).json();
        assertThat(signing.get("enabled").asBoolean()).isTrue();
        assertThat(signing.get("primaryKey").asText()).matches("[0-9a-f]{32}");
        assertThat(signing.get("secondaryKey").isNull()).isTrue();

        assertThat(t.call("GET", "/api/v1/domains/PUSH.example.com", null).json().get("type").asText()).isEqualTo("ingest");
        assertThat(domainCount()).isEqualTo(1);
    }

    @Test
    void domainRulesHaveClearCodes() {
        t.addDomain("push.example.com", "ingest");
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":\"push.example.com\",\"type\":\"streaming\"}"),
                409, "DomainAlreadyExist");
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":\"*.example.com\",\"type\":\"ingest\"}"),
                400, "InvalidDomain.Wildcard");
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":\"not a domain\",\"type\":\"ingest\"}"),
                400, "InvalidDomain.Malformed");
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":\"a.example.com\",\"type\":\"edge\"}"),
                400, "InvalidParameter");
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":\"a.example.com\"}"), 400, "MissingParameter");
        assertError(t.call("GET", "/api/v1/domains/nothere.example.com", null), 404, "DomainNotFound");
        assertThat(domainCount()).isEqualTo(1);
    }

    @Test
    void sqlLookingInputIsRefusedAndHarmless() {
        t.addDomain("push.example.com", "ingest");
        assertError(t.call("POST", "/api/v1/domains",
                "{\"domain\":\"x.com'); DROP TABLE domains; --\",\"type\":\"ingest\"}"), 400, "InvalidDomain.Malformed");
        assertError(t.call("GET", "/api/v1/domains/push.example.com'%20OR%20'1'='1", null), 400, "InvalidDomain.Malformed");
        assertError(t.call("POST", "/api/v1/templates", "{\"id\":\"hd' OR 1=1 --\"}"), 400, "InvalidParameter");
        assertError(t.call("POST", "/api/v1/streams/push.example.com/live/x'%3BDROP%20TABLE%20x/forbid", null),
                400, "InvalidParameter");
        assertThat(domainCount()).isEqualTo(1);
    }

    @Test
    void malformedJsonUnknownFieldsAndWrongTypesAreRefused() {
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":"), 400, "MalformedJson");
        assertError(t.call("POST", "/api/v1/domains", ""), 400, "MalformedJson");
        assertError(t.call("POST", "/api/v1/domains", "{\"domain\":\"a.example.com\",\"type\":\"ingest\"} {}"),
                400, "MalformedJson");
        assertError(t.call("POST", "/api/v1/domains", "[1,2]"), 400, "InvalidParameter");
        TestPlane.Answer unknown = t.call("POST", "/api/v1/domains",
                "{\"domain\":\"a.example.com\",\"type\":\"ingest\",\"owner\":\"root\"}");
        assertError(unknown, 400, "InvalidParameter.UnknownField");
        assertThat(unknown.json().get("message").asText()).contains("'owner'");
        t.addDomain("a.example.com", "ingest");
        assertError(t.call("PUT", "/api/v1/domains/a.example.com/signing", "{\"validityMinutes\":\"soon\"}"),
                400, "InvalidParameter");
        assertError(t.call("PUT", "/api/v1/domains/a.example.com/signing", "{\"validityMinutes\":1.5}"),
                400, "InvalidParameter");
        assertThat(domainCount()).isEqualTo(1);
    }

    @Test
    void hugeBodiesAreRefused() {
        String bigForServer = "{\"domain\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}";
        TestPlane.Answer a = t.call("POST", "/api/v1/domains", bigForServer);
        assertThat(a.status()).isEqualTo(413);
        String bigForApi = "{\"domain\":\"" + "a".repeat(300 * 1024) + "\",\"type\":\"ingest\"}";
        assertError(t.call("POST", "/api/v1/domains", bigForApi), 413, "RequestEntityTooLarge");
        assertThat(domainCount()).isZero();
    }

    @Test
    void signingPutKeepsWhatIsLeftOut() {
        t.addDomain("push.example.com", "ingest");
        String primary = t.call("GET", "/api/v1/domains/push.example.com/signing", null).json().get("primaryKey").asText();
        JsonNode s = t.call("PUT", "/api/v1/domains/push.example.com/signing",
                "{\"secondaryKey\":\"second2Key\",\"validityMinutes\":5}").json();
        assertThat(s.get("primaryKey").asText()).isEqualTo(primary);
        assertThat(s.get("secondaryKey").asText()).isEqualTo("second2Key");
        assertThat(s.get("validityMinutes").asInt()).isEqualTo(5);
        assertThat(s.get("enabled").asBoolean()).isTrue();
        s = t.call("PUT", "/api/v1/domains/push.example.com/signing",
                "{\"enabled\":false,\"primaryKey\":\"newPrimary1\",\"secondaryKey\":\"\"}").json();
        assertThat(s.get("primaryKey").asText()).isEqualTo("newPrimary1");
        assertThat(s.get("secondaryKey").isNull()).isTrue();
        assertThat(s.get("enabled").asBoolean()).isFalse();
        assertThat(s.get("validityMinutes").asInt()).isEqualTo(5);
        assertError(t.call("PUT", "/api/v1/domains/push.example.com/signing", "{\"validityMinutes\":0}"),
                400, "InvalidParameter.ValidityMinutes");
        assertError(t.call("PUT", "/api/v1/domains/push.example.com/signing", "{\"primaryKey\":\"x-y\"}"),
                400, "InvalidParameter");
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/signing", "{\"validityMinutes\":5256000}")
                .json().get("validityMinutes").asInt()).as("no upper limit (10 years)").isEqualTo(5_256_000);
    }

    @Test
    void srtPassphraseIsSetButNeverShownAndGoesToTheInMemoryView() {
        t.addDomain("push.example.com", "ingest");
        t.addDomain("play.example.com", "streaming");
        String secret = "Srt-Passphrase-0123456789";
        JsonNode none = t.call("GET", "/api/v1/domains/push.example.com/srt", null).json();
        assertThat(none.get("passphraseSet").asBoolean()).isFalse();
        assertThat(t.plane.srtPassphrase("push.example.com")).isEmpty();
        TestPlane.Answer put = t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"" + secret + "\"}");
        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        assertThat(put.json().get("passphraseSet").asBoolean()).isTrue();
        assertThat(put.raw()).doesNotContain(secret);
        TestPlane.Answer get = t.call("GET", "/api/v1/domains/push.example.com/srt", null);
        assertThat(get.json().get("passphraseSet").asBoolean()).isTrue();
        assertThat(get.raw()).doesNotContain(secret);
        assertThat(t.call("GET", "/api/v1/domains/push.example.com", null).raw()).doesNotContain(secret);
        // in force when the API answers, from memory (what libsrt's listen callback reads)
        assertThat(t.plane.srtPassphrase("push.example.com")).hasValue(secret);
        // 10 to 79 characters, printable; the refusal does not echo the value
        for (String bad : new String[] {"short-123", "x".repeat(80), "with space 0123", ""}) {
            TestPlane.Answer a = t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"" + bad + "\"}");
            assertError(a, 400, "InvalidParameter.Passphrase");
            if (!bad.isEmpty()) {
                assertThat(a.raw()).doesNotContain(bad);
            }
        }
        assertError(t.call("PUT", "/api/v1/domains/push.example.com/srt", "{}"), 400, "InvalidParameter.Passphrase");
        assertThat(t.plane.srtPassphrase("push.example.com")).as("refusals change nothing").hasValue(secret);
        assertThat(t.call("PUT", "/api/v1/domains/push.example.com/srt", "{\"passphrase\":\"" + "y".repeat(79) + "\"}")
                .status()).isEqualTo(200);
        assertThat(t.plane.srtPassphrase("push.example.com")).hasValue("y".repeat(79));
        assertError(t.call("PUT", "/api/v1/domains/play.example.com/srt", "{\"passphrase\":\"" + secret + "\"}"),
                400, "InvalidParameter.DomainType");
        assertError(t.call("PUT", "/api/v1/domains/nowhere.example.com/srt", "{\"passphrase\":\"" + secret + "\"}"),
                404, "DomainNotFound");
        assertThat(t.call("DELETE", "/api/v1/domains/push.example.com/srt", null).status()).isEqualTo(204);
        assertThat(t.plane.srtPassphrase("push.example.com")).isEmpty();
        assertError(t.call("DELETE", "/api/v1/domains/push.example.com/srt", null), 404, "SrtPassphraseNotFound");
    }

    @Test
    void associationsAndSubDomainsCheckTypes() {
        t.addDomain("push.example.com", "ingest");
        t.addDomain("push2.example.com", "ingest");
        t.addDomain("play.example.com", "streaming");
        t.addDomain("m.example.com", "streaming");
        assertError(t.call("PUT", "/api/v1/domains/push.example.com/association", "{\"ingestDomain\":\"push2.example.com\"}"),
                400, "InvalidAssociation.DomainType");
        assertError(t.call("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"m.example.com\"}"),
                400, "InvalidAssociation.DomainType");
        assertError(t.call("PUT", "/api/v1/domains/play.example.com/sub-domains/push.example.com", null),
                400, "InvalidAssociation.DomainType");
        JsonNode play = t.call("PUT", "/api/v1/domains/play.example.com/association",
                "{\"ingestDomain\":\"push.example.com\"}").json();
        assertThat(play.get("ingestDomain").asText()).isEqualTo("push.example.com");
        JsonNode sub = t.call("PUT", "/api/v1/domains/play.example.com/sub-domains/m.example.com", null).json();
        assertThat(sub.get("mainDomain").asText()).isEqualTo("play.example.com");
        assertThat(t.call("GET", "/api/v1/domains/play.example.com", null).json().get("subDomains").get(0).asText())
                .isEqualTo("m.example.com");
        assertThat(t.call("GET", "/api/v1/domains/push.example.com", null).json().get("streamingDomains").get(0).asText())
                .isEqualTo("play.example.com");
        assertError(t.call("PUT", "/api/v1/domains/m.example.com/association", "{\"ingestDomain\":\"push.example.com\"}"),
                409, "InvalidAssociation.SubDomain");
        assertError(t.call("DELETE", "/api/v1/domains/push.example.com", null), 409, "DomainInUse");
        assertError(t.call("DELETE", "/api/v1/domains/play.example.com", null), 409, "DomainInUse");
        assertThat(t.call("DELETE", "/api/v1/domains/play.example.com/sub-domains/m.example.com", null)
                .json().get("mainDomain").isNull()).isTrue();
    }

    @Test
    void patchChangesSettingsButNotTheType() {
        t.addDomain("play.example.com", "streaming");
        JsonNode fresh = t.call("GET", "/api/v1/domains/play.example.com", null).json();
        assertThat(fresh.get("rtsEnabled").asBoolean()).as("RTS on by default").isTrue();
        assertThat(fresh.get("html5Transcoding").asBoolean()).as("HTML5 auto transcoding on by default").isTrue();
        JsonNode d = t.call("PATCH", "/api/v1/domains/play.example.com",
                "{\"rtsEnabled\":false,\"html5Transcoding\":false,\"region\":\"eu-west-1\",\"status\":\"offline\"}").json();
        assertThat(d.get("rtsEnabled").asBoolean()).isFalse();
        assertThat(d.get("html5Transcoding").asBoolean()).isFalse();
        assertThat(d.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(d.get("status").asText()).isEqualTo("offline");
        assertThat(t.plane.domain("play.example.com").orElseThrow().html5Transcoding()).isFalse();
        assertError(t.call("PATCH", "/api/v1/domains/play.example.com", "{\"type\":\"ingest\"}"),
                400, "InvalidParameter.Immutable");
        assertError(t.call("PATCH", "/api/v1/domains/play.example.com", "{\"streamLimit\":5}"),
                400, "InvalidParameter.DomainType");
    }

    @Test
    void aStreamingDomainsAbrLadderIsSetByPatchAndNamesTemplates() {
        t.addDomain("play.example.com", "streaming");
        t.addDomain("push.example.com", "ingest");
        assertThat(t.call("GET", "/api/v1/domains/play.example.com", null).json().get("abrLadder").size())
                .as("no ladder by default: no switching").isZero();
        JsonNode d = t.call("PATCH", "/api/v1/domains/play.example.com", "{\"abrLadder\":[\"lhd\",\"lsd\",\"lld\"]}")
                .json();
        assertThat(d.get("abrLadder").toString()).isEqualTo("[\"lhd\",\"lsd\",\"lld\"]");
        Gate.AccessRequest play = new Gate.AccessRequest(Gate.Action.PLAY, "whep", "play.example.com", "live", "demo",
                "", "", "127.0.0.1");
        assertThat(t.plane.abrLadder(play)).containsExactly("lhd", "lsd", "lld");
        assertError(t.call("PATCH", "/api/v1/domains/play.example.com", "{\"abrLadder\":[\"lld\",\"lld\"]}"),
                400, "InvalidParameter");
        assertError(t.call("PATCH", "/api/v1/domains/play.example.com", "{\"abrLadder\":[\"no spaces\"]}"),
                400, "InvalidParameter");
        assertError(t.call("PATCH", "/api/v1/domains/push.example.com", "{\"abrLadder\":[\"lld\"]}"),
                400, "InvalidParameter.DomainType");
        assertThat(t.call("PATCH", "/api/v1/domains/play.example.com", "{\"abrLadder\":[]}").json()
                .get("abrLadder").size()).as("an empty ladder switches ABR off").isZero();
        assertThat(t.plane.abrLadder(play)).isEmpty();
    }

    @Test
    void accountsSeeOnlyTheirOwnDomainsAndHaveTheirQuota() {
        t.addDomain("admin-owned.example.com", "ingest");
        TestPlane.Answer created = t.call("POST", "/api/v1/accounts",
                "{\"name\":\"tenant-" + System.nanoTime() + "\",\"domainQuota\":2}");
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("apiKey").asText();
        assertThat(key).startsWith("vk_");
        assertThat(t.call("GET", "/api/v1/account", null, key).json().get("admin").asBoolean()).isFalse();
        assertError(t.call("GET", "/api/v1/domains/admin-owned.example.com", null, key), 404, "DomainNotFound");
        assertError(t.call("GET", "/api/v1/accounts", null, key), 403, "Forbidden.AdminOnly");
        String add = "{\"domain\":\"%s\",\"type\":\"ingest\"}";
        assertThat(t.call("POST", "/api/v1/domains", add.formatted("t1.example.com"), key).status()).isEqualTo(201);
        assertThat(t.call("POST", "/api/v1/domains", add.formatted("t2.example.com"), key).status()).isEqualTo(201);
        assertError(t.call("POST", "/api/v1/domains", add.formatted("t3.example.com"), key), 403, "QuotaExceeded");
        assertError(t.call("POST", "/api/v1/domains", add.formatted("admin-owned.example.com"), key), 409,
                "DomainAlreadyExist");
        assertThat(t.call("GET", "/api/v1/domains", null, key).json().get("domains")).hasSize(2);
        assertThat(domainCount()).as("the admin sees every domain").isEqualTo(3);
    }

    @Test
    void templatesAreInForceForTheOwnersDomainsWhenTheApiAnswers() {
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        t.plane.onTemplatesChanged(changes::incrementAndGet);
        TestPlane.Answer tenant = t.call("POST", "/api/v1/accounts", "{\"name\":\"tpl-" + System.nanoTime() + "\"}");
        String key = tenant.json().get("apiKey").asText();
        assertThat(t.call("POST", "/api/v1/domains", "{\"domain\":\"tpl.example.com\",\"type\":\"ingest\"}", key)
                .status()).isEqualTo(201);
        TestPlane.Answer created = t.call("POST", "/api/v1/templates",
                "{\"id\":\"sq\",\"width\":360,\"height\":360,\"fps\":25,\"gop\":50,\"videoBitrateKbps\":300}", key);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        // in memory before the 201, for the tenant's domains only
        assertThat(t.plane.template("tpl.example.com", "sq")).contains(
                new TemplateInfo("sq", "h264", 360, 360, 25, 300, 50, "aac", 128));
        assertThat(t.plane.template(dev.vireo.core.StreamKey.DEFAULT_VHOST, "sq")).isEmpty();
        assertThat(t.plane.template("other.example.com", "sq")).isEmpty();
        assertThat(changes.get()).isEqualTo(1);
        // the admin's templates are the zero-config vhost's
        assertThat(t.call("POST", "/api/v1/templates", "{\"id\":\"adm\",\"height\":240}").status()).isEqualTo(201);
        assertThat(t.plane.template(dev.vireo.core.StreamKey.DEFAULT_VHOST, "adm")).map(TemplateInfo::height).contains(240);

        assertThat(t.call("DELETE", "/api/v1/templates/sq", null, key).status()).isEqualTo(204);
        assertThat(t.plane.template("tpl.example.com", "sq")).isEmpty();
        assertThat(t.call("DELETE", "/api/v1/templates/adm", null).status()).isEqualTo(204);
        assertThat(changes.get()).isEqualTo(4);
        assertError(t.call("DELETE", "/api/v1/templates/sq", null, key), 404, "TemplateNotFound");
        assertThat(changes.get()).as("no change, no notice").isEqualTo(4);
        t.call("DELETE", "/api/v1/domains/tpl.example.com", null, key);
    }

    @Test
    void generatedUrlsAreAcceptedByTheGate() {
        t.addDomain("push.example.com", "ingest");
        t.addDomain("play.example.com", "streaming");
        t.call("PUT", "/api/v1/domains/play.example.com/association", "{\"ingestDomain\":\"push.example.com\"}");
        assertThat(t.call("POST", "/api/v1/templates", "{\"id\":\"hd\",\"width\":1280,\"height\":720}").status())
                .isIn(201, 409);
        TestPlane.Answer a = t.call("POST", "/api/v1/urls",
                "{\"ingestDomain\":\"push.example.com\",\"streamingDomain\":\"play.example.com\",\"app\":\"live\","
                        + "\"stream\":\"demo\",\"templateId\":\"hd\"}");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        JsonNode u = a.json();
        String rtmpIn = u.get("ingest").get("rtmp").asText();
        assertThat(rtmpIn).startsWith("rtmp://push.example.com/live/demo?auth_key=");
        assertThat(u.get("ingest").get("srt").asText())
                .matches("srt://push\\.example\\.com:10080\\?streamid=#!::h=push\\.example\\.com,r=/live/demo\\?auth_key="
                        + "\\d+-[0-9a-f]{32}-0-[0-9a-f]{32},m=publish");
        assertThat(u.get("ingest").get("rts").asText()).startsWith("artc://push.example.com:8080/live/demo?auth_key=");
        assertThat(u.get("play").get("rts").asText()).startsWith("artc://play.example.com:8080/live/demo?auth_key=");
        assertThat(u.get("play").get("whep").asText()).startsWith("http://play.example.com:8080/live/demo/whep?auth_key=");
        assertThat(u.get("transcoded").get("stream").asText()).isEqualTo("demo_hd");
        assertThat(u.get("transcoded").get("play").get("flv").asText())
                .startsWith("http://play.example.com:8080/live/demo_hd.flv?auth_key=");

        Gate gate = t.plane.gate();
        assertThat(gate.admit(request(Gate.Action.PUBLISH, "rtmp", rtmpIn, ""))).isInstanceOf(Gate.Allow.class);
        for (String field : new String[] {"rtmp", "flv", "m3u8", "llhls", "jpg"}) {
            String url = u.get("play").get(field).asText();
            String ext = switch (field) {
                case "rtmp" -> "";
                case "llhls" -> "/llhls.m3u8";
                default -> "." + field;
            };
            assertThat(gate.admit(request(Gate.Action.PLAY, field, url, ext))).as(url).isInstanceOf(Gate.Allow.class);
        }
        String txFlv = u.get("transcoded").get("play").get("flv").asText();
        assertThat(gate.admit(request(Gate.Action.PLAY, "http-flv", txFlv, ".flv"))).isInstanceOf(Gate.Allow.class);
        assertThat(gate.admit(request(Gate.Action.PLAY, "http-flv", txFlv.replace("demo_hd", "demo"), ".flv")))
                .as("a signature is bound to its stream").isInstanceOf(Gate.Deny.class);

        assertError(t.call("POST", "/api/v1/urls", "{\"ingestDomain\":\"push.example.com\",\"app\":\"live\","
                + "\"stream\":\"demo\",\"templateId\":\"nope\"}"), 404, "TemplateNotFound");
        t.addDomain("other.example.com", "streaming");
        assertError(t.call("POST", "/api/v1/urls", "{\"ingestDomain\":\"push.example.com\",\"streamingDomain\":"
                + "\"other.example.com\",\"app\":\"live\",\"stream\":\"demo\"}"), 400, "InvalidAssociation.NotAssociated");
    }

    /** The Gate request a client makes for {@code url}: host, app, stream, query as the adapters pass them. */
    static Gate.AccessRequest request(Gate.Action action, String protocol, String url, String ext) {
        URI uri = URI.create(url);
        String[] path = uri.getPath().substring(1).split("/");
        String stream = path[1];
        if (!ext.isEmpty() && !ext.startsWith("/")) {  // "/llhls.m3u8" follows the stream name
            stream = stream.substring(0, stream.length() - ext.length());
        }
        return new Gate.AccessRequest(action, protocol, uri.getHost(), path[0], stream, ext,
                uri.getRawQuery() == null ? "" : uri.getRawQuery(), "127.0.0.1");
    }
}
