package dev.vireo.http.routing;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One request as a route handler sees it. The body is a copy (bounded by
 * {@code HttpConfig.maxBodySize()}), so the context stays valid after the handler returns, for
 * {@link Reply#later} replies.
 */
public final class RequestContext {

    private final HttpMethod method;
    private final HttpVersion version;
    private final String path;
    private final String rawQuery;
    private final Map<String, String> params;
    private final HttpHeaders headers;
    private final byte[] body;
    private final Channel channel;
    private final String requestId;
    private Map<String, List<String>> query;

    RequestContext(HttpMethod method, HttpVersion version, String path, String rawQuery,
                   Map<String, String> params, HttpHeaders headers, byte[] body, Channel channel,
                   String requestId) {
        this.method = method;
        this.version = version;
        this.path = path;
        this.rawQuery = rawQuery;
        this.params = params;
        this.headers = headers;
        this.body = body;
        this.channel = channel;
        this.requestId = requestId;
    }

    /** The request method as sent (HEAD stays HEAD when it is served by a GET route). */
    public HttpMethod method() {
        return method;
    }

    public HttpVersion protocolVersion() {
        return version;
    }

    /** The path as sent (still percent-encoded), without the query. */
    public String path() {
        return path;
    }

    /** A path parameter of the route pattern ({@code {name}}), percent-decoded, or null. */
    public String param(String name) {
        return params.get(name);
    }

    public Map<String, String> params() {
        return params;
    }

    /** The query string without '?', as sent, or "" (it may carry secrets: never log it). */
    public String rawQuery() {
        return rawQuery;
    }

    /** The first value of a query parameter, decoded, or null. */
    public String query(String name) {
        List<String> values = queryParams().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    public Map<String, List<String>> queryParams() {
        if (query == null) {
            query = rawQuery.isEmpty() ? Map.of()
                    : new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters();
        }
        return query;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The first value of a header, or null. */
    public String header(CharSequence name) {
        return headers.get(name);
    }

    /** The domain the client addressed: the Host header without port, lower case; "" if absent. */
    public String host() {
        return HostHeader.hostOf(headers.get(HttpHeaderNames.HOST));
    }

    public byte[] body() {
        return body;
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /** The client's IP address as text, for access decisions and logs. */
    public String clientAddress() {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(a);
    }

    /** Id of this request, sent back as {@code X-Request-Id} and in error bodies. */
    public String requestId() {
        return requestId;
    }

    /** The connection, for handlers that stream their own response ({@link Reply#takenOver()}). */
    public Channel channel() {
        return channel;
    }
}
