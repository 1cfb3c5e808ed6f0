package dev.vireo.webrtc.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StunBindingTest {

    static final String LOCAL_UFRAG = "srvU";
    static final String LOCAL_PWD = "serverpasswordserverpw";
    static final String REMOTE_UFRAG = "brws";
    static final byte[] TX = "0123456789ab".getBytes(StandardCharsets.US_ASCII);

    private static StunMessage request(String ufrag, String pwd, boolean useCandidate) {
        ByteBuf b = StunBinding.request(ByteBufAllocator.DEFAULT, TX, ufrag, REMOTE_UFRAG, pwd, 0x6e0001ffL, 42L, useCandidate);
        try {
            return StunMessage.parse(b);
        } finally {
            b.release();
        }
    }

    @Test
    void validCheckIsAcceptedAndAnswered() throws Exception {
        StunMessage req = request(LOCAL_UFRAG, LOCAL_PWD, true);
        assertThat(StunBinding.check(req, LOCAL_UFRAG, LOCAL_PWD)).isEqualTo(IceCheck.ACCEPT);
        assertThat(StunBinding.nominates(req)).isTrue();
        assertThat(StunBinding.remoteUfrag(req)).isEqualTo(REMOTE_UFRAG);

        InetSocketAddress source = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 51234);
        ByteBuf resp = StunBinding.successResponse(ByteBufAllocator.DEFAULT, req, source, LOCAL_PWD);
        try {
            StunMessage m = StunMessage.parse(resp);
            assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(m.transactionId()).isEqualTo(TX);
            assertThat(m.attribute(StunAttribute.XorMappedAddress.class)).get()
                    .extracting(StunAttribute.XorMappedAddress::address).isEqualTo(source);
            assertThat(m.verifyIntegrity(LOCAL_PWD.getBytes(StandardCharsets.UTF_8))).isTrue();
            assertThat(m.verifyFingerprint()).isTrue();
        } finally {
            resp.release();
        }
    }

    @Test
    void failuresMapToErrorCodes() {
        assertThat(StunBinding.check(request("other", LOCAL_PWD, false), LOCAL_UFRAG, LOCAL_PWD))
                .isEqualTo(IceCheck.UNAUTHORIZED);
        assertThat(StunBinding.check(request(LOCAL_UFRAG, "wrongpasswordwrongpass", false), LOCAL_UFRAG, LOCAL_PWD))
                .isEqualTo(IceCheck.UNAUTHORIZED);

        byte[] noMi = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, TX)
                .add(new StunAttribute.Username(LOCAL_UFRAG + ":x")).fingerprint().toBytes();
        assertThat(StunBinding.check(StunMessage.parse(Unpooled.wrappedBuffer(noMi)), LOCAL_UFRAG, LOCAL_PWD))
                .isEqualTo(IceCheck.BAD_REQUEST);

        byte[] controlled = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, TX)
                .add(new StunAttribute.Username(LOCAL_UFRAG + ":x"))
                .add(new StunAttribute.IceControlled(1))
                .integrity(LOCAL_PWD.getBytes(StandardCharsets.UTF_8)).fingerprint().toBytes();
        StunMessage conflict = StunMessage.parse(Unpooled.wrappedBuffer(controlled));
        assertThat(StunBinding.check(conflict, LOCAL_UFRAG, LOCAL_PWD)).isEqualTo(IceCheck.ROLE_CONFLICT);
        ByteBuf err = StunBinding.errorResponse(ByteBufAllocator.DEFAULT, conflict, IceCheck.ROLE_CONFLICT, LOCAL_PWD);
        try {
            StunMessage m = StunMessage.parse(err);
            assertThat(m.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
            assertThat(m.attribute(StunAttribute.ErrorCode.class)).get()
                    .extracting(StunAttribute.ErrorCode::code).isEqualTo(487);
            assertThat(m.verifyIntegrity(LOCAL_PWD.getBytes(StandardCharsets.UTF_8))).isTrue();
        } finally {
            err.release();
        }

        byte[] unknown = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, TX)
                .add(new StunAttribute.Username(LOCAL_UFRAG + ":x"))
                .add(new StunAttribute.Unknown(0x0042, new byte[] {1, 2, 3}))
                .integrity(LOCAL_PWD.getBytes(StandardCharsets.UTF_8)).fingerprint().toBytes();
        StunMessage u = StunMessage.parse(Unpooled.wrappedBuffer(unknown));
        assertThat(StunBinding.check(u, LOCAL_UFRAG, LOCAL_PWD)).isEqualTo(IceCheck.UNKNOWN_ATTRIBUTE);
        ByteBuf err420 = StunBinding.errorResponse(ByteBufAllocator.DEFAULT, u, IceCheck.UNKNOWN_ATTRIBUTE, null);
        try {
            assertThat(StunMessage.parse(err420).attribute(StunAttribute.UnknownAttributes.class)).get()
                    .isEqualTo(new StunAttribute.UnknownAttributes(new int[] {0x0042}));
        } finally {
            err420.release();
        }
    }

    @Test
    void badFingerprintIsDiscarded() {
        ByteBuf b = StunBinding.request(ByteBufAllocator.DEFAULT, TX, LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, 1, 2, false);
        try {
            b.setByte(b.writerIndex() - 1, b.getByte(b.writerIndex() - 1) ^ 0x55);
            assertThat(StunBinding.check(StunMessage.parse(b), LOCAL_UFRAG, LOCAL_PWD)).isEqualTo(IceCheck.DISCARD);
        } finally {
            b.release();
        }
    }
}
