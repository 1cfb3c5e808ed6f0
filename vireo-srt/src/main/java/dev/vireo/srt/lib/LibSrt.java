package dev.vireo.srt.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The part of libsrt 1.5 (Haivision SRT, {@code srt.h}) a server needs, called through
 * {@code java.lang.foreign}. One instance per process ({@link #get()}): it loads the library, checks
 * that it is 1.5.x (the struct layouts below are pinned to it: {@code SRT_MSGCTRL} is not used,
 * {@link SrtStats} reads {@code CBytePerfMon} at the 1.5 offsets), calls {@code srt_startup} and
 * routes libsrt's own log lines into {@link LibSrtLog}. Names follow the C API. Every call may be
 * made from any thread; error codes are libsrt's thread-local {@code srt_getlasterror}.
 *
 * <p>No per-call allocation on the data path: {@link #recvmsg} / {@link #sendmsg} take a caller-owned
 * native segment.
 */
public final class LibSrt {

    /** {@code SRT_SOCKOPT} values used here (srt.h, 1.5.x). */
    public static final int SRTO_MSS = 0;
    public static final int SRTO_SNDSYN = 1;
    public static final int SRTO_RCVSYN = 2;
    public static final int SRTO_SNDBUF = 5;
    public static final int SRTO_RCVBUF = 6;
    public static final int SRTO_RCVTIMEO = 14;
    public static final int SRTO_REUSEADDR = 15;
    public static final int SRTO_MAXBW = 16;
    public static final int SRTO_LATENCY = 23;
    public static final int SRTO_PASSPHRASE = 26;
    public static final int SRTO_PBKEYLEN = 27;
    public static final int SRTO_CONNTIMEO = 36;
    public static final int SRTO_RCVLATENCY = 43;
    public static final int SRTO_PEERLATENCY = 44;
    public static final int SRTO_STREAMID = 46;
    public static final int SRTO_PAYLOADSIZE = 49;
    public static final int SRTO_TRANSTYPE = 50;
    public static final int SRTO_PEERIDLETIMEO = 55;

    /** {@code SRT_TRANSTYPE}: live mode (one message per packet, TSBPD, too-late drop). */
    public static final int SRTT_LIVE = 0;

    /** {@code SRT_EPOLL_OPT}. */
    public static final int SRT_EPOLL_IN = 0x1;
    public static final int SRT_EPOLL_OUT = 0x4;
    public static final int SRT_EPOLL_ERR = 0x8;
    /** {@code SRT_EPOLL_FLAGS}: waiting on an empty set is not an error. */
    public static final int SRT_EPOLL_ENABLE_EMPTY = 1;
    /** Bytes of one {@code SRT_EPOLL_EVENT} ({@code int fd; int events;}). */
    public static final int EPOLL_EVENT_SIZE = 8;

    /** {@code SRT_ERRNO} values this code reacts to. */
    public static final int SRT_EASYNCSND = 6001;
    public static final int SRT_EASYNCRCV = 6002;
    public static final int SRT_ECONNREJ = 1002;
    public static final int SRT_ECONNLOST = 2001;
    public static final int SRT_ENOCONN = 2002;
    public static final int SRT_EINVSOCK = 5004;

    /** {@code SRT_SOCKSTATUS}. */
    public static final int SRTS_CONNECTED = 5;
    public static final int SRTS_BROKEN = 6;
    public static final int SRTS_CLOSING = 7;
    public static final int SRTS_CLOSED = 8;
    public static final int SRTS_NONEXIST = 9;

    /** Largest live-mode payload (MTU 1500 − UDP 28 − SRT 16), {@code SRT_LIVE_MAX_PLSIZE}. */
    public static final int LIVE_MAX_PAYLOAD = 1456;
    /** The default live payload: 7 transport stream packets, {@code SRT_LIVE_DEF_PLSIZE}. */
    public static final int LIVE_DEFAULT_PAYLOAD = 1316;

    /** The library names tried, in order (Debian: libsrt1.5-openssl, libsrt1.5-gnutls). */
    static final List<String> NAMES = List.of("libsrt.so.1.5", "libsrt-openssl.so.1.5", "libsrt-gnutls.so.1.5",
            "libsrt.so");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;
    private static final int SOCKADDR_STORAGE = 128;

    private static volatile Object instance;

    private final String libraryName;
    private final int version;
    private final MethodHandle startup;
    private final MethodHandle cleanup;
    private final MethodHandle createSocket;
    private final MethodHandle bind;
    private final MethodHandle listen;
    private final MethodHandle accept;
    private final MethodHandle connect;
    private final MethodHandle close;
    private final MethodHandle getsockname;
    private final MethodHandle getsockflag;
    private final MethodHandle setsockflag;
    private final MethodHandle listenCallback;
    private final MethodHandle setRejectReason;
    private final MethodHandle getRejectReason;
    private final MethodHandle rejectReasonStr;
    private final MethodHandle epollCreate;
    private final MethodHandle epollAddUsock;
    private final MethodHandle epollUpdateUsock;
    private final MethodHandle epollRemoveUsock;
    private final MethodHandle epollUwait;
    private final MethodHandle epollSet;
    private final MethodHandle epollRelease;
    private final MethodHandle recvmsg2;
    private final MethodHandle sendmsg2;
    private final MethodHandle bstats;
    private final MethodHandle getlasterror;
    private final MethodHandle getlasterrorStr;
    private final MethodHandle getsockstate;
    private final MethodHandle getsndbuffer;

    private LibSrt(String libraryName, SymbolLookup lib) {
        this.libraryName = libraryName;
        MethodHandle getversion = fn(lib, "srt_getversion", FunctionDescriptor.of(INT));
        startup = fn(lib, "srt_startup", FunctionDescriptor.of(INT));
        cleanup = fn(lib, "srt_cleanup", FunctionDescriptor.of(INT));
        createSocket = fn(lib, "srt_create_socket", FunctionDescriptor.of(INT));
        bind = fn(lib, "srt_bind", FunctionDescriptor.of(INT, INT, PTR, INT));
        listen = fn(lib, "srt_listen", FunctionDescriptor.of(INT, INT, INT));
        accept = fn(lib, "srt_accept", FunctionDescriptor.of(INT, INT, PTR, PTR));
        connect = fn(lib, "srt_connect", FunctionDescriptor.of(INT, INT, PTR, INT));
        close = fn(lib, "srt_close", FunctionDescriptor.of(INT, INT));
        getsockname = fn(lib, "srt_getsockname", FunctionDescriptor.of(INT, INT, PTR, PTR));
        getsockflag = fn(lib, "srt_getsockflag", FunctionDescriptor.of(INT, INT, INT, PTR, PTR));
        setsockflag = fn(lib, "srt_setsockflag", FunctionDescriptor.of(INT, INT, INT, PTR, INT));
        listenCallback = fn(lib, "srt_listen_callback", FunctionDescriptor.of(INT, INT, PTR, PTR));
        setRejectReason = fn(lib, "srt_setrejectreason", FunctionDescriptor.of(INT, INT, INT));
        getRejectReason = fn(lib, "srt_getrejectreason", FunctionDescriptor.of(INT, INT));
        rejectReasonStr = fn(lib, "srt_rejectreason_str", FunctionDescriptor.of(PTR, INT));
        epollCreate = fn(lib, "srt_epoll_create", FunctionDescriptor.of(INT));
        epollAddUsock = fn(lib, "srt_epoll_add_usock", FunctionDescriptor.of(INT, INT, INT, PTR));
        epollUpdateUsock = fn(lib, "srt_epoll_update_usock", FunctionDescriptor.of(INT, INT, INT, PTR));
        epollRemoveUsock = fn(lib, "srt_epoll_remove_usock", FunctionDescriptor.of(INT, INT, INT));
        epollUwait = fn(lib, "srt_epoll_uwait", FunctionDescriptor.of(INT, INT, PTR, INT, LONG));
        epollSet = fn(lib, "srt_epoll_set", FunctionDescriptor.of(INT, INT, INT));
        epollRelease = fn(lib, "srt_epoll_release", FunctionDescriptor.of(INT, INT));
        recvmsg2 = fn(lib, "srt_recvmsg2", FunctionDescriptor.of(INT, INT, PTR, INT, PTR));
        sendmsg2 = fn(lib, "srt_sendmsg2", FunctionDescriptor.of(INT, INT, PTR, INT, PTR));
        bstats = fn(lib, "srt_bstats", FunctionDescriptor.of(INT, INT, PTR, INT));
        getlasterror = fn(lib, "srt_getlasterror", FunctionDescriptor.of(INT, PTR));
        getlasterrorStr = fn(lib, "srt_getlasterror_str", FunctionDescriptor.of(PTR));
        getsockstate = fn(lib, "srt_getsockstate", FunctionDescriptor.of(INT, INT));
        getsndbuffer = fn(lib, "srt_getsndbuffer", FunctionDescriptor.of(INT, INT, PTR, PTR));
        MethodHandle setloghandler = fn(lib, "srt_setloghandler", FunctionDescriptor.ofVoid(PTR, PTR));
        MethodHandle setloglevel = fn(lib, "srt_setloglevel", FunctionDescriptor.ofVoid(INT));
        MethodHandle setlogflags = fn(lib, "srt_setlogflags", FunctionDescriptor.ofVoid(INT));
        try {
            version = (int) getversion.invokeExact();
            int major = version >>> 16;
            int minor = (version >>> 8) & 0xFF;
            if (major != 1 || minor != 5) {
                throw new SrtUnavailableException(libraryName + " is version " + versionString(version)
                        + "; Vireo's binding is pinned to libsrt 1.5.x (struct layouts)");
            }
            // libsrt's threads that ran an upcall (listen callback, log) are attached to the JVM and
            // detach when they end. If they end after the VM has exited (libsrt's own static
            // destructor at process exit joins them), the detach blocks forever and the process never
            // exits. So libsrt is stopped, and its threads joined, while the VM is still alive.
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("srt-cleanup").unstarted(() -> {
                try {
                    int ignored = (int) cleanup.invokeExact();
                } catch (Throwable t) {
                    // nothing to do at exit
                }
            }));
            // libsrt's own warnings and errors (e.g. a wrong passphrase) go to our log, not stderr
            MemorySegment handler = LINKER.upcallStub(MethodHandles.lookup().findStatic(LibSrtLog.class, "handle",
                            MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class,
                                    int.class, MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.ofVoid(PTR, INT, PTR, INT, PTR, PTR), Arena.global());
            setlogflags.invokeExact(0x0F); // SRT_LOGF_DISABLE_TIME | THREADNAME | SEVERITY | EOL
            setloghandler.invokeExact(MemorySegment.NULL, handler);
            setloglevel.invokeExact(4); // LOG_WARNING
        } catch (SrtUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new SrtUnavailableException("cannot start libsrt: " + t);
        }
    }

    /**
     * The process's binding, loaded on first use.
     *
     * @throws SrtUnavailableException when libsrt 1.5 cannot be loaded (not installed, another
     *     version, no native access); the message says why
     */
    public static LibSrt get() {
        Object i = instance;
        if (i == null) {
            synchronized (LibSrt.class) {
                i = instance;
                if (i == null) {
                    try {
                        i = load();
                    } catch (SrtUnavailableException e) {
                        i = e;
                    }
                    instance = i;
                }
            }
        }
        if (i instanceof SrtUnavailableException e) {
            throw new SrtUnavailableException(e.getMessage());
        }
        return (LibSrt) i;
    }

    private static LibSrt load() {
        StringBuilder tried = new StringBuilder();
        for (String name : NAMES) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                tried.append(tried.isEmpty() ? "" : ", ").append(name);
                continue;
            } catch (IllegalCallerException e) {
                throw new SrtUnavailableException("native access is not enabled for Vireo's jars"
                        + " (run java with --enable-native-access=ALL-UNNAMED)");
            }
            return new LibSrt(name, lib);
        }
        throw new SrtUnavailableException("libsrt 1.5 is not installed (tried " + tried
                + "; Debian: apt-get install libsrt1.5-openssl)");
    }

    private static MethodHandle fn(SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment addr = lib.find(name).orElseThrow(
                () -> new SrtUnavailableException("libsrt lacks " + name + " (not 1.5.x?)"));
        return LINKER.downcallHandle(addr, d);
    }

    /** "1.5.1" from {@code srt_getversion}'s 0xMMmmpp. */
    public static String versionString(int v) {
        return (v >>> 16) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    public String libraryName() {
        return libraryName;
    }

    public String version() {
        return versionString(version);
    }

    // ---- library life ----

    /**
     * {@code srt_startup}: starts libsrt's threads; each user (a listener, a caller) calls it once and
     * {@link #cleanup()} when done. libsrt counts the calls; its threads end at the last cleanup. They
     * must: a thread that entered Java through an upcall (the listen callback, the log handler) is
     * attached to the JVM, and the JVM does not exit while it lives.
     */
    public void startup() {
        check((int) invoke(startup), "srt_startup");
    }

    /** {@code srt_cleanup}: one user is done (see {@link #startup()}). */
    public void cleanup() {
        invoke(cleanup);
    }

    // ---- sockets ----

    public int createSocket() {
        return check((int) invoke(createSocket), "srt_create_socket");
    }

    public void setInt(int sock, int opt, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(INT, value);
            check((int) invoke(setsockflag, sock, opt, v, 4), "srt_setsockflag " + opt);
        }
    }

    /** {@code SRTO_MAXBW} and other 64-bit options. */
    public void setLong(int sock, int opt, long value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(LONG, value);
            check((int) invoke(setsockflag, sock, opt, v, 8), "srt_setsockflag " + opt);
        }
    }

    /** String options ({@code SRTO_PASSPHRASE}, {@code SRTO_STREAMID}): bytes without the NUL. */
    public void setString(int sock, int opt, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, b.length));
            MemorySegment.copy(b, 0, v, ValueLayout.JAVA_BYTE, 0, b.length);
            check((int) invoke(setsockflag, sock, opt, v, b.length), "srt_setsockflag " + opt);
        }
    }

    public int getInt(int sock, int opt) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(8);
            MemorySegment len = a.allocateFrom(INT, 8);
            check((int) invoke(getsockflag, sock, opt, v, len), "srt_getsockflag " + opt);
            return v.get(INT, 0);
        }
    }

    public String getString(int sock, int opt) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(1024);
            MemorySegment len = a.allocateFrom(INT, 1024);
            check((int) invoke(getsockflag, sock, opt, v, len), "srt_getsockflag " + opt);
            int n = Math.min(len.get(INT, 0), 1024);
            return new String(v.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    public void bind(int sock, InetSocketAddress address) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(a, address);
            check((int) invoke(bind, sock, sa, (int) sa.byteSize()), "srt_bind " + address);
        }
    }

    public void listen(int sock, int backlog) {
        check((int) invoke(listen, sock, backlog), "srt_listen");
    }

    /** The next accepted socket, or -1 when none is pending (non-blocking listener). */
    public int accept(int listener) {
        return (int) invoke(accept, listener, MemorySegment.NULL, MemorySegment.NULL);
    }

    /** Connects as a caller (blocking unless SRTO_RCVSYN is off); on a refusal see {@link #getRejectReason}. */
    public void connect(int sock, InetSocketAddress address) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(a, address);
            check((int) invoke(connect, sock, sa, (int) sa.byteSize()), "srt_connect " + address);
        }
    }

    public void close(int sock) {
        invoke(close, sock);
    }

    public InetSocketAddress localAddress(int sock) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_STORAGE);
            MemorySegment len = a.allocateFrom(INT, SOCKADDR_STORAGE);
            check((int) invoke(getsockname, sock, sa, len), "srt_getsockname");
            return fromSockaddr(sa);
        }
    }

    public int state(int sock) {
        return (int) invoke(getsockstate, sock);
    }

    /**
     * Installs the listen callback ({@code srt_listen_callback}): {@code stub} is an upcall stub of
     * {@code int fn(void* opaque, SRTSOCKET ns, int hsversion, const struct sockaddr* peer, const char* streamid)}
     * ({@link #listenCallbackStub}).
     */
    public void listenCallback(int listener, MemorySegment stub) {
        check((int) invoke(listenCallback, listener, stub, MemorySegment.NULL), "srt_listen_callback");
    }

    /** An upcall stub for {@link #listenCallback}, calling {@code hook} on libsrt's thread. */
    public static MemorySegment listenCallbackStub(ListenHook hook, Arena arena) {
        try {
            MethodHandle target = MethodHandles.lookup().findVirtual(ListenHook.class, "onListen",
                    MethodType.methodType(int.class, MemorySegment.class, int.class, int.class, MemorySegment.class,
                            MemorySegment.class)).bindTo(hook);
            return LINKER.upcallStub(target, FunctionDescriptor.of(INT, PTR, INT, INT, PTR, PTR), arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The C signature of the listen callback. Implementations must never throw. */
    @FunctionalInterface
    public interface ListenHook {
        int onListen(MemorySegment opaque, int socket, int hsVersion, MemorySegment peer, MemorySegment streamId);
    }

    public void setRejectReason(int sock, int code) {
        invoke(setRejectReason, sock, code);
    }

    public int getRejectReason(int sock) {
        return (int) invoke(getRejectReason, sock);
    }

    /** libsrt's text for one of its own reject reasons (below 1000). */
    public String rejectReasonText(int code) {
        MemorySegment s = (MemorySegment) invoke(rejectReasonStr, code);
        return cString(s, 256);
    }

    // ---- epoll ----

    public int epollCreate() {
        int eid = check((int) invoke(epollCreate), "srt_epoll_create");
        invoke(epollSet, eid, SRT_EPOLL_ENABLE_EMPTY);
        return eid;
    }

    public void epollAdd(int eid, int sock, MemorySegment eventsInt) {
        check((int) invoke(epollAddUsock, eid, sock, eventsInt), "srt_epoll_add_usock");
    }

    public void epollUpdate(int eid, int sock, MemorySegment eventsInt) {
        check((int) invoke(epollUpdateUsock, eid, sock, eventsInt), "srt_epoll_update_usock");
    }

    public void epollRemove(int eid, int sock) {
        invoke(epollRemoveUsock, eid, sock);
    }

    /** Ready sockets into {@code events} ({@link #EPOLL_EVENT_SIZE} bytes each); the count, 0 on timeout. */
    public int epollUwait(int eid, MemorySegment events, int max, long timeoutMs) {
        try {
            return Math.max(0, (int) epollUwait.invokeExact(eid, events, max, timeoutMs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void epollRelease(int eid) {
        invoke(epollRelease, eid);
    }

    // ---- data ----

    /** One message into {@code buf}: its length, or -1 ({@link #lastError()} says why, EASYNCRCV: none). */
    public int recvmsg(int sock, MemorySegment buf, int len) {
        try {
            return (int) recvmsg2.invokeExact(sock, buf, len, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** One message (live mode: at most the payload size): its length, or -1 (EASYNCSND: buffer full). */
    public int sendmsg(int sock, MemorySegment buf, int len) {
        try {
            return (int) sendmsg2.invokeExact(sock, buf, len, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Packets waiting in the socket's send buffer (unacknowledged), or -1. */
    public int sendBufferPackets(int sock, MemorySegment scratch16) {
        try {
            int r = (int) getsndbuffer.invokeExact(sock, scratch16, scratch16.asSlice(8));
            return r < 0 ? -1 : (int) scratch16.get(LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@code perf} ({@link SrtStats#SIZE} bytes, {@code CBytePerfMon}); false when the socket is gone. */
    public boolean bstats(int sock, MemorySegment perf) {
        try {
            return (int) bstats.invokeExact(sock, perf, 0) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int lastError() {
        try {
            return (int) getlasterror.invokeExact(MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public String lastErrorString() {
        return cString((MemorySegment) invoke(getlasterrorStr), 512);
    }

    // ---- helpers ----

    private int check(int result, String what) {
        if (result < 0) {
            throw new SrtException(lastError(), what + ": " + lastErrorString());
        }
        return result;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static Object invoke(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A NUL-terminated C string of at most {@code max} bytes (libsrt's strings are short). */
    public static String cString(MemorySegment p, int max) {
        if (p == null || p.equals(MemorySegment.NULL)) {
            return "";
        }
        MemorySegment s = p.reinterpret(max);
        int n = 0;
        while (n < max && s.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    static MemorySegment sockaddr(Arena a, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip instanceof Inet4Address) {
            MemorySegment sa = a.allocate(16);
            sa.set(ValueLayout.JAVA_SHORT, 0, AF_INET); // sa_family_t, host order
            sa.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, sa, ValueLayout.JAVA_BYTE, 4, 4);
            return sa;
        }
        MemorySegment sa = a.allocate(28);
        sa.set(ValueLayout.JAVA_SHORT, 0, AF_INET6);
        sa.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) address.getPort());
        MemorySegment.copy(ip.getAddress(), 0, sa, ValueLayout.JAVA_BYTE, 8, 16);
        return sa;
    }

    /** A {@code struct sockaddr_in/in6} as an address, or null for another family. */
    public static InetSocketAddress fromSockaddr(MemorySegment p) {
        if (p == null || p.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment sa = p.reinterpret(28);
        short family = sa.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(sa.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2));
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(sa.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)), port);
            }
            if (family == AF_INET6) {
                return new InetSocketAddress(Inet6Address.getByAddress(sa.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE)), port);
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }
}
