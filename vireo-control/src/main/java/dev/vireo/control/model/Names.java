package dev.vireo.control.model;

import java.util.regex.Pattern;

/**
 * The shapes of the other names the API accepts. Checked before anything touches the store, so a
 * name that looks like SQL or a path never gets further than a 400.
 */
public final class Names {

    /** App and stream names: what fits in a URL path segment without escaping. */
    private static final Pattern STREAM_PART = Pattern.compile("[A-Za-z0-9_.~-]{1,128}");
    /** Template ids end up in stream names ({@code stream_id}): no '_' so the suffix stays unambiguous. */
    private static final Pattern TEMPLATE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,31}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private Names() {
    }

    public static String streamPart(String what, String value) {
        return check(STREAM_PART, what, value, "1 to 128 of A-Z a-z 0-9 _ . ~ -");
    }

    public static String templateId(String value) {
        return check(TEMPLATE_ID, "templateId", value, "1 to 32 of A-Z a-z 0-9 -, starting with a letter or digit");
    }

    public static String region(String what, String value) {
        return check(REGION, what, value, "1 to 32 of a-z 0-9 -, such as cn-shanghai");
    }

    public static String account(String value) {
        return check(ACCOUNT, "name", value, "1 to 64 of a-z 0-9 _ -");
    }

    private static String check(Pattern pattern, String what, String value, String shape) {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest("MissingParameter", what + " is required");
        }
        if (!pattern.matcher(value).matches()) {
            throw ApiException.badRequest("InvalidParameter", what + " must be " + shape);
        }
        return value;
    }
}
