package dev.vireo.control.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vireo.control.model.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * Strict reading of request bodies into records: a JSON object, only known fields, the right types,
 * nothing after the object, bounded size and nesting. Every problem is a 400 (413 for size) that
 * names it.
 */
final class JsonBody {

    /** Largest API request body; a certificate chain with its key is far below it. */
    static final int MAX_BYTES = 256 * 1024;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    static {
        STRICT.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxStringLength(MAX_BYTES).maxNumberLength(20).build());
    }

    private JsonBody() {
    }

    static <T> T read(byte[] body, Class<T> type) {
        if (body.length > MAX_BYTES) {
            throw new ApiException(413, "RequestEntityTooLarge", "request body larger than " + MAX_BYTES + " bytes");
        }
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            throw ApiException.badRequest("MalformedJson", "a JSON object body is required");
        }
        try {
            T value = STRICT.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("MalformedJson", "a JSON object body is required");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("InvalidParameter.UnknownField", "unknown field '" + e.getPropertyName()
                    + "'; known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", ")));
        } catch (JsonParseException | StreamConstraintsException e) {
            throw ApiException.badRequest("MalformedJson", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw ApiException.badRequest("MalformedJson", "the body has content after its JSON object");
            }
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
            throw ApiException.badRequest("InvalidParameter", field.isEmpty()
                    ? "the body must be a JSON object"
                    : "field '" + field + "' has the wrong type or value");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("MalformedJson", "the body is not valid JSON");
        } catch (IOException e) {
            throw ApiException.badRequest("MalformedJson", "the body cannot be read");
        }
    }
}
