package dev.vireo.control.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A domain's webhook target.
 *
 * @param url http(s) URL that receives the event POSTs
 * @param secret HMAC-SHA256 key of the signature header
 * @param onPublishAuth whether the answer to a publish event can deny the publisher
 */
public record NotifyConfig(String url, String secret, boolean onPublishAuth) {

    static final int MAX_URL_LENGTH = 2048;

    /** @throws ApiException InvalidParameter unless {@code url} is an absolute http(s) URL with a host */
    public static URI checkUrl(String url) {
        if (url == null || url.isEmpty()) {
            throw ApiException.badRequest("MissingParameter", "url is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw ApiException.badRequest("InvalidParameter", "url longer than " + MAX_URL_LENGTH + " characters");
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
                throw ApiException.badRequest("InvalidParameter", "url must be an http:// or https:// URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("InvalidParameter", "url is not a valid URL");
        }
    }

    /** The target for logs: scheme, host and port only (paths and queries may carry tokens). */
    public String safeTarget() {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @Override
    public String toString() {
        return "NotifyConfig[" + safeTarget() + ", onPublishAuth=" + onPublishAuth + "]";
    }
}
