package dev.vireo.control.api;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.control.diagnose.StreamUrl;
import dev.vireo.control.model.ApiException;
import dev.vireo.control.model.DomainPatch;
import dev.vireo.control.model.SigningUpdate;
import dev.vireo.control.record.RecordRules;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the admin API's request bodies ({@link JsonBody#read} into every
 * request record, as {@code Api.body} does; issue 17): a body is read or refused with an
 * {@link ApiException} (400/413 naming the problem), nothing else; the URL of a diagnosis request
 * then goes through {@link StreamUrl#parse} (refused with {@link IllegalArgumentException}). The
 * first byte picks the record. Seeds in {@code ApiBodyJazzerTestInputs/} (the bodies the console and the API tests
 * send); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class ApiBodyJazzerTest {

    static final List<Class<?>> BODIES = List.of(
            AccountsApi.CreateAccount.class, DiagnoseApi.DiagnoseRequest.class, DomainPatch.class,
            DomainsApi.Association.class, SigningUpdate.class, DomainsApi.SrtRequest.class,
            DomainsApi.CreateDomain.class, DomainsApi.NotifyRequest.class, DomainsApi.CertificateRequest.class,
            RecordRules.RuleRequest.class, StreamsControlApi.ForbidRequest.class, TemplatesApi.CreateTemplate.class,
            UrlsApi.UrlRequest.class);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void read(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Class<?> type = BODIES.get((data[0] & 0xFF) % BODIES.size());
        Object body;
        try {
            body = JsonBody.read(Arrays.copyOfRange(data, 1, data.length), type);
        } catch (ApiException expected) {
            return; // 400 / 413 with the reason
        }
        if (body instanceof DiagnoseApi.DiagnoseRequest(String url, String action) && url != null) {
            try {
                StreamUrl.parse(url); // what the diagnosis reads first
            } catch (IllegalArgumentException expected) {
                // the diagnosis answers with the reason
            }
        }
    }
}
