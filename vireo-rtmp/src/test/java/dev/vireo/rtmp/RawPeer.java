package dev.vireo.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** A blocking socket that speaks raw bytes to the server: for malformed-input tests. */
final class RawPeer implements AutoCloseable {

    private final Socket socket;

    RawPeer(int port) throws IOException {
        this(port, 0);
    }

    /** With {@code receiveBuffer} > 0, a small socket receive buffer (for a viewer that lags). */
    RawPeer(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
    }

    /** The peer's own port: how the server's log names its connection ("from /127.0.0.1:PORT"). */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Sends a command message (AMF0) on chunk stream 3. */
    void sendCommand(CommandMessage cmd, int msid) throws IOException {
        RtmpMessage m = cmd.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, msid);
        try {
            sendMessage(3, m.typeId(), msid, ByteBufUtil.getBytes(m.payload()));
        } finally {
            m.release();
        }
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Sends {@code buf} (released). */
    void send(ByteBuf buf) throws IOException {
        try {
            send(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    /** A plain (simple) handshake: C0+C1, read S0+S1+S2, C2 = S1. */
    RawPeer handshake() throws IOException {
        byte[] c0c1 = new byte[1 + Handshake.PACKET_SIZE];
        c0c1[0] = 3;
        send(c0c1);
        byte[] s = socket.getInputStream().readNBytes(1 + 2 * Handshake.PACKET_SIZE);
        if (s.length != 1 + 2 * Handshake.PACKET_SIZE || s[0] != 3) {
            throw new IOException("bad handshake answer of " + s.length + " bytes");
        }
        byte[] c2 = new byte[Handshake.PACKET_SIZE];
        System.arraycopy(s, 1, c2, 0, Handshake.PACKET_SIZE);
        send(c2);
        return this;
    }

    /** Sends one message as chunks at the default chunk size of 128. */
    void sendMessage(int csid, int type, int msid, byte[] payload) throws IOException {
        ByteBuf out = Unpooled.buffer();
        ChunkEncoder.writeChunks(out, csid, type, 0, msid, Unpooled.wrappedBuffer(payload), 0, payload.length, 128);
        send(out);
    }

    /**
     * Reads and discards until the server closes the connection; true if it did within
     * {@code timeout}.
     */
    boolean awaitClosedByServer(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        socket.setSoTimeout(200);
        while (System.nanoTime() < deadline) {
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // keep waiting until the deadline
            } catch (IOException e) {
                return true; // reset by the server
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
