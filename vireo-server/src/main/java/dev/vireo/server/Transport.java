package dev.vireo.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.Executor;

/** The native epoll transport where it is available (Linux), else NIO. */
record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                 Class<? extends DatagramChannel> datagramChannel) {

    static Transport best() {
        if (Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollDatagramChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioDatagramChannel.class);
    }

    /** The client TCP channel of this transport (node-to-node pulls). */
    Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
        return name.equals("epoll") ? io.netty.channel.epoll.EpollSocketChannel.class
                : io.netty.channel.socket.nio.NioSocketChannel.class;
    }

    /**
     * How long an event loop runs queued tasks before it looks at its sockets again; Netty's
     * default, 1 s. A starved loop whose queue never empties (fan-out to hundreds of viewers)
     * reads new connections only that often, and a viewer's start takes a few reads (issue 17,
     * load held). 20 ms was tried in session 9 and reverted: VireoServerHlsTest failed twice with
     * it on the loaded machine and passed with 1 s, cause not found. {@code
     * -Dvireo.eventLoop.taskQuantumMs} sets it, to measure with {@code bench/run conns} on a quiet
     * machine.
     */
    static final long TASK_QUANTUM_MS = Math.max(1, Long.getLong("vireo.eventLoop.taskQuantumMs", 1000));

    /** @param threads 0 for Netty's default (twice the cores) */
    EventLoopGroup group(String threadName, int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName), ioHandlers) {
            @Override
            protected IoEventLoop newChild(Executor executor, IoHandlerFactory factory, Object... args) {
                return new SingleThreadIoEventLoop(this, executor, factory, Integer.MAX_VALUE,
                        RejectedExecutionHandlers.reject(), TASK_QUANTUM_MS);
            }
        };
    }
}
