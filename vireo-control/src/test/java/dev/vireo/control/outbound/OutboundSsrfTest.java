package dev.vireo.control.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.control.TestPlane;
import dev.vireo.control.WebhookReceiver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole 3 of issue 17: a tenant's notify URL must not make the server post to loopback, link-local
 * (cloud metadata), private, multicast or unspecified addresses, in any spelling, nor to the
 * server itself — neither when saved nor at request time (a name that resolves there later), and
 * no redirect is followed.
 */
@Timeout(60)
class OutboundSsrfTest {

    @TempDir
    Path dir;
    private WebhookReceiver receiver;
    private EventLoopGroup group;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        receiver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static final List<String> FORBIDDEN = List.of(
            "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:22/", "http://[::1]/", "http://localhost/",
            "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
            "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://10.1.2.3/", "http://172.16.0.1/",
            "http://192.168.1.1/", "http://100.64.0.1/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12::1]/",
            "http://224.0.0.1/", "http://[ff02::1]/", "http://0.0.0.0/", "http://[::]/", "http://255.255.255.255/",
            "http://[64:ff9b::7f00:1]/", "http://[2002:a9fe:a9fe::]/");

    @Test
    void everySpellingOfAForbiddenAddressIsRefusedWhenSaved() throws Exception {
        try (TestPlane t = new TestPlane(dir.resolve("data"))) {
            t.addDomain("push.example.com", "ingest");
            for (String url : FORBIDDEN) {
                TestPlane.Answer a = t.call("PUT", "/api/v1/domains/push.example.com/notify",
                        "{\"url\":\"" + url + "\",\"secret\":\"0123456789abcdef-secret\"}");
                assertThat(a.status()).as(url + " " + a.raw()).isEqualTo(400);
            }
            // The server's own admin API.
            TestPlane.Answer own = t.call("PUT", "/api/v1/domains/push.example.com/notify",
                    "{\"url\":\"" + t.url("/api/v1/domains") + "\",\"secret\":\"0123456789abcdef-secret\"}");
            assertThat(own.status()).isEqualTo(400);
            assertThat(own.json().path("message").asText()).contains("loopback");
        }
    }

    @Test
    void everyForbiddenAddressIsRefusedAtRequestTime() throws Exception {
        OutboundHttp http = new OutboundHttp(group, NioSocketChannel.class, resolving("nothing.test", null),
                OutboundPolicy.of(""));
        for (String url : FORBIDDEN) {
            assertThatThrownBy(() -> http.post(URI.create(url), "application/json", new byte[0], Map.of(),
                    Duration.ofSeconds(5)).get()).as(url).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(OutboundHttp.Refused.class);
        }
    }

    @Test
    void aNameThatResolvesToLoopbackAtRequestTimeIsRefusedUnlessAllowed() throws Exception {
        URI target = URI.create("http://hooks.rebind.test:" + receiver.port() + "/hook");
        var rebinding = resolving("hooks.rebind.test", InetAddress.getLoopbackAddress());
        OutboundHttp strict = new OutboundHttp(group, NioSocketChannel.class, rebinding, OutboundPolicy.of(""));
        assertThatThrownBy(() -> strict.post(target, "application/json", new byte[0], Map.of(), Duration.ofSeconds(5))
                .get()).cause().isInstanceOf(OutboundHttp.Refused.class).hasMessageContaining("127.0.0.1 is a loopback");
        assertThat(receiver.received()).isEmpty();

        // The same request goes through once the admin allows the receiver: the check is what stopped it.
        OutboundHttp allowed = new OutboundHttp(group, NioSocketChannel.class, rebinding,
                OutboundPolicy.of("127.0.0.1/32"));
        assertThat(allowed.post(target, "application/json", new byte[0], Map.of(), Duration.ofSeconds(5)).get()
                .status()).isEqualTo(200);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void theServersOwnAddressesAreRefused() throws Exception {
        InetAddress own = OutboundPolicy.interfaceAddresses().stream()
                .filter(a -> OutboundPolicy.forbiddenKind(a) == null).findFirst().orElse(null);
        InetAddress mine = InetAddress.getByName("203.0.113.7");
        OutboundPolicy policy = new OutboundPolicy(List.of(), () -> Set.of(mine));
        assertThat(policy.refusal("203.0.113.7", 80, InetAddress.getByName("203.0.113.7")))
                .hasValueSatisfying(r -> assertThat(r).contains("an address of this server"));
        assertThat(policy.refusal("203.0.113.8", 80, InetAddress.getByName("203.0.113.8"))).isEmpty();
        if (own != null) {  // a machine with a public address: the real list
            assertThat(OutboundPolicy.of("").refusal(own.getHostAddress(), 80, own)).isPresent();
        }
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        WebhookReceiver second = new WebhookReceiver();
        try {
            receiver.script(new WebhookReceiver.Answer(302, "", second.url("/secret")));
            OutboundHttp http = new OutboundHttp(group, NioSocketChannel.class, resolving("x.test", null),
                    OutboundPolicy.of("127.0.0.1/32"));
            assertThat(http.post(URI.create(receiver.url("/hook")), "application/json", new byte[0], Map.of(),
                    Duration.ofSeconds(5)).get().status()).isEqualTo(302);
            assertThat(second.received()).isEmpty();
        } finally {
            second.close();
        }
    }

    @Test
    void allowListEntriesAreCheckedAndMatched() throws Exception {
        assertThatThrownBy(() -> OutboundPolicy.validate("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutboundPolicy.validate("hooks.internal")).isInstanceOf(IllegalArgumentException.class);
        OutboundPolicy p = OutboundPolicy.of("10.0.0.0/8, hooks.internal:8080, [::1]:9000");
        InetAddress ten = InetAddress.getByName("10.9.8.7");
        assertThat(p.refusal("10.9.8.7", 1, ten)).isEmpty();
        assertThat(p.refusal("hooks.internal", 8080, InetAddress.getByName("192.168.0.2"))).isEmpty();
        assertThat(p.refusal("hooks.internal", 8081, InetAddress.getByName("192.168.0.2"))).isPresent();
        assertThat(p.refusal("[::1]", 9000, InetAddress.getByName("::1"))).isEmpty();
        assertThat(p.refusal("[::1]", 9001, InetAddress.getByName("::1"))).isPresent();
        assertThat(Ipv4Forms.parse("2130706433")).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(Ipv4Forms.parse("0x7f.0.0.1")).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(Ipv4Forms.parse("10.020")).isEqualTo(InetAddress.getByName("10.0.0.16"));
        assertThat(Ipv4Forms.parse("example.com")).isNull();
        assertThat(Ipv4Forms.parse("1.2.3.4.5")).isNull();
        assertThat(Ipv4Forms.parse("4294967296")).isNull();
    }

    /** A resolver that answers {@code name} with {@code address} and fails every other name. */
    private static AddressResolverGroup<InetSocketAddress> resolving(String name, InetAddress address) {
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
                return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
                    @Override
                    protected void doResolve(String host, Promise<InetAddress> promise) {
                        if (host.equals(name) && address != null) {
                            promise.setSuccess(address);
                        } else {
                            promise.setFailure(new java.net.UnknownHostException(host));
                        }
                    }

                    @Override
                    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                        if (host.equals(name) && address != null) {
                            promise.setSuccess(List.of(address));
                        } else {
                            promise.setFailure(new java.net.UnknownHostException(host));
                        }
                    }
                });
            }
        };
    }
}
