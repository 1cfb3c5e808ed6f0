package dev.vireo.webrtc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;

/** A peer's address on one socket of the shared UDP port; equal for the same socket and address. */
public record UdpPath(MediaSocket socket, InetSocketAddress remoteAddress) implements MediaPath {

    @Override
    public void send(ByteBuf packet) {
        socket.batcher().write(new DatagramPacket(packet, remoteAddress), packet.readableBytes());
    }

    @Override
    public void sendSegments(ByteBuf run, int segmentSize, int count) {
        int size = run.readableBytes();
        if (count == 1) {
            socket.batcher().write(new DatagramPacket(run, remoteAddress), size);
        } else if (socket.offload().enabled()) {
            socket.batcher().write(new SegmentedDatagramPacket(run, segmentSize, remoteAddress), size);
        } else {
            for (int off = run.readerIndex(), end = off + size; off < end; off += segmentSize) {
                int n = Math.min(segmentSize, end - off);
                socket.batcher().write(new DatagramPacket(run.retainedSlice(off, n), remoteAddress), n);
            }
            run.release();
        }
    }

    @Override
    public void sendNow(ByteBuf packet) {
        socket.channel().writeAndFlush(new DatagramPacket(packet, remoteAddress), socket.channel().voidPromise());
    }

    @Override
    public int maxSegments(int segmentSize) {
        return socket.offload().maxSegments(segmentSize);
    }

    @Override
    public boolean isWritable() {
        return socket.channel().isWritable();
    }

    @Override
    public String toString() {
        return remoteAddress.toString();
    }
}
