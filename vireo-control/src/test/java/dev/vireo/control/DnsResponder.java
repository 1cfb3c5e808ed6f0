package dev.vireo.control;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process DNS server on a UDP port of 127.0.0.1 (RFC 1035): answers CNAME queries from a map
 * (following chains in one answer, as a recursive resolver does) and NXDOMAIN for unknown names.
 */
final class DnsResponder implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, String> cnames = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private final Channel channel;

    DnsResponder() throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                        ctx.writeAndFlush(answer(query));
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    void cname(String name, String target) {
        cnames.put(name, target);
    }

    int queries() {
        return queries.get();
    }

    private DatagramDnsResponse answer(DatagramDnsQuery query) {
        queries.incrementAndGet();
        DnsQuestion q = query.recordAt(DnsSection.QUESTION);
        DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
        r.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
        r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type()));
        String name = plain(q.name());
        if (q.type() != DnsRecordType.CNAME || !cnames.containsKey(name)) {
            r.setCode(DnsResponseCode.NXDOMAIN);
            return r;
        }
        int hops = 0;
        while (cnames.containsKey(name) && hops++ < 8) {
            String target = cnames.get(name);
            r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(name + ".", DnsRecordType.CNAME, 60, encode(target)));
            name = target;
        }
        return r;
    }

    /** RFC 1035 §3.1 name: length-prefixed labels ending with a zero byte. */
    private static ByteBuf encode(String name) {
        ByteBuf b = Unpooled.buffer();
        for (String label : plain(name).split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            b.writeByte(bytes.length).writeBytes(bytes);
        }
        return b.writeByte(0);
    }

    private static String plain(String n) {
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
