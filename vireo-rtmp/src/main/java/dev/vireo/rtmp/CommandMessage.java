package dev.vireo.rtmp;

import dev.vireo.media.amf.Amf0Reader;
import dev.vireo.media.amf.Amf0Writer;
import dev.vireo.media.amf.AmfException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A NetConnection / NetStream command (RTMP spec §7.1.1, §7.2): name, transaction id, command
 * object, then optional arguments, in AMF0. Type 17 (AMF3) commands start with one format byte
 * (0) and continue in AMF0, switching to AMF3 per value through the avmplus marker.
 */
record CommandMessage(String name, double transactionId, Object commandObject, List<Object> arguments) {

    CommandMessage {
        arguments = Collections.unmodifiableList(new ArrayList<>(arguments));
    }

    static CommandMessage of(String name, double transactionId, Object commandObject, Object... arguments) {
        return new CommandMessage(name, transactionId, commandObject, Arrays.asList(arguments));
    }

    /** Parses a type-20 or type-17 message; garbage raises {@link RtmpProtocolException}. */
    static CommandMessage decode(RtmpMessage msg) {
        ByteBuf p = msg.payload().duplicate();
        if (msg.typeId() == MessageType.COMMAND_AMF3 && p.isReadable() && p.getByte(p.readerIndex()) == 0) {
            p.skipBytes(1);
        }
        List<Object> values;
        try {
            values = Amf0Reader.readAll(p);
        } catch (AmfException e) {
            throw new RtmpProtocolException("malformed command message: " + e.getMessage(), e);
        }
        if (values.size() < 2 || !(values.get(0) instanceof String name) || !(values.get(1) instanceof Double txn)) {
            throw new RtmpProtocolException("command message does not start with a name and a transaction id");
        }
        Object cmdObject = values.size() > 2 ? values.get(2) : null;
        List<Object> args = values.size() > 3 ? values.subList(3, values.size()) : List.of();
        return new CommandMessage(name, txn, cmdObject, args);
    }

    /** The command object as a map (empty when it is null or not an object). */
    @SuppressWarnings("unchecked")
    Map<String, Object> properties() {
        return commandObject instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Argument {@code i} (after the command object), or null. */
    Object argument(int i) {
        return i < arguments.size() ? arguments.get(i) : null;
    }

    String stringArgument(int i) {
        return argument(i) instanceof String s ? s : null;
    }

    RtmpMessage encode(ByteBufAllocator alloc, int messageStreamId) {
        ByteBuf b = alloc.buffer(128);
        try {
            Amf0Writer.write(b, name);
            Amf0Writer.write(b, transactionId);
            Amf0Writer.write(b, commandObject);
            for (Object a : arguments) {
                Amf0Writer.write(b, a);
            }
        } catch (RuntimeException e) {
            b.release();
            throw e;
        }
        return new RtmpMessage(RtmpMessage.CSID_COMMAND, MessageType.COMMAND_AMF0, 0, messageStreamId, b);
    }
}
