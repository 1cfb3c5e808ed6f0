package dev.vireo.control.model;

import java.util.Locale;

/**
 * Validation and normal form of a domain name as a customer adds it (RFC 1035 §2.3.1 labels, RFC
 * 1123 §2.1 leading digits): lower case, no trailing dot, at least two labels, ASCII only
 * (internationalised names in their punycode "xn--" form), a top-level label that is not all
 * digits (so IP addresses are refused), no wildcard.
 */
public final class DomainName {

    public static final int MAX_LENGTH = 253;
    private static final int MAX_LABEL = 63;

    private DomainName() {
    }

    /**
     * The normal form of {@code raw}.
     *
     * @throws ApiException {@code InvalidDomain.Wildcard} or {@code InvalidDomain.Malformed}
     */
    public static String normalize(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ApiException.badRequest("InvalidDomain.Malformed", "a domain name is required");
        }
        String name = raw.trim().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.indexOf('*') >= 0) {
            throw ApiException.badRequest("InvalidDomain.Wildcard",
                    "wildcard domains are not supported; add each domain by its full name");
        }
        String why = problem(name);
        if (why != null) {
            throw ApiException.badRequest("InvalidDomain.Malformed", "not a valid domain name: " + why);
        }
        return name;
    }

    /** True when {@code host} (already lower case) is a syntactically valid domain name. */
    static boolean isValid(String host) {
        return problem(host) == null;
    }

    private static String problem(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return "length must be 1 to " + MAX_LENGTH + " characters";
        }
        String[] labels = name.split("\\.", -1);
        if (labels.length < 2) {
            return "a domain needs at least two labels (example.com)";
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                return "each label must be 1 to " + MAX_LABEL + " characters";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-';
                if (!ok) {
                    return "only letters, digits, '-' and '.' are allowed (use the xn-- form for international names)";
                }
            }
            if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return "a label cannot start or end with '-'";
            }
        }
        String tld = labels[labels.length - 1];
        if (tld.chars().allMatch(Character::isDigit)) {
            return "an IP address is not a domain";
        }
        return null;
    }
}
