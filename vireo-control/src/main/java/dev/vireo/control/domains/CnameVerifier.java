package dev.vireo.control.domains;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Checks that a domain's CNAME record points at its assigned target: one CNAME query to the
 * configured name server (or the system's), then the answer's CNAME chain is followed from the
 * domain. Non-blocking (Netty's DNS resolver on an event loop); no caching, so a fix made a moment
 * ago is seen.
 */
public final class CnameVerifier implements AutoCloseable {

    /**
     * What the check found.
     *
     * @param found the CNAME chain from the domain, as answered
     * @param configured whether the chain reaches the expected target
     * @param rcode the DNS response code ("NOERROR", "NXDOMAIN", ...) or "TIMEOUT"/"ERROR"
     */
    public record Result(String domain, String expected, List<String> found, boolean configured, String rcode) {
    }

    private final DnsNameResolver resolver;

    public CnameVerifier(EventLoop loop, InetSocketAddress server, Duration timeout) {
        resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(server == null ? DnsServerAddressStreamProviders.platformDefault()
                        : new SingletonDnsServerAddressStreamProvider(server))
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .queryTimeoutMillis(timeout.toMillis())
                .recursionDesired(true)
                .build();
    }

    public CompletableFuture<Result> check(String domain, String expected) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        resolver.query(new DefaultDnsQuestion(domain, DnsRecordType.CNAME)).addListener(f -> {
            if (!f.isSuccess()) {
                String why = f.cause() != null && String.valueOf(f.cause().getMessage()).contains("timeout")
                        ? "TIMEOUT" : "ERROR";
                result.complete(new Result(domain, expected, List.of(), false, why));
                return;
            }
            @SuppressWarnings("unchecked")
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope =
                    (AddressedEnvelope<DnsResponse, InetSocketAddress>) f.getNow();
            try {
                DnsResponse response = envelope.content();
                List<String> chain = chain(domain, response);
                boolean ok = chain.contains(expected);
                result.complete(new Result(domain, expected, chain, ok, response.code().toString()
                        .replaceAll("\\(.*", "").trim().toUpperCase(Locale.ROOT)));
            } catch (RuntimeException e) {
                result.complete(new Result(domain, expected, List.of(), false, "ERROR"));
            } finally {
                envelope.release();
            }
        });
        return result;
    }

    /** The CNAME targets from {@code domain} onwards, as far as the answer section goes. */
    static List<String> chain(String domain, DnsResponse response) {
        Map<String, String> cnames = new HashMap<>();
        int n = response.count(DnsSection.ANSWER);
        for (int i = 0; i < n; i++) {
            DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
            if (r.type() == DnsRecordType.CNAME && r instanceof DnsRawRecord raw) {
                String target = DefaultDnsRecordDecoder.decodeName(raw.content().duplicate());
                cnames.put(plain(r.name()), plain(target));
            }
        }
        List<String> chain = new ArrayList<>();
        String at = plain(domain);
        while (cnames.containsKey(at) && chain.size() < 16) {
            at = cnames.get(at);
            chain.add(at);
        }
        return chain;
    }

    private static String plain(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public void close() {
        resolver.close();
    }
}
