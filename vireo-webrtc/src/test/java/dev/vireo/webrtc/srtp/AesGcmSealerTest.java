package dev.vireo.webrtc.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AesGcmSealerTest {

    private static byte[] jce(byte[] key, byte[] iv, byte[] aad, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        return c.doFinal(data);
    }

    private static byte[] sealed(AesGcmSealer s, byte[] iv, byte[] aad, byte[] data) {
        byte[] a = new byte[3 + aad.length + data.length + 16];
        System.arraycopy(aad, 0, a, 3, aad.length);
        System.arraycopy(data, 0, a, 3 + aad.length, data.length);
        s.seal(iv, a, 3, aad.length, 3 + aad.length, data.length);
        return Arrays.copyOfRange(a, 3 + aad.length, a.length);
    }

    @Test
    void nistTestCase4() {
        // The Galois/Counter Mode of Operation (McGrew, Viega), Appendix B, test case 4
        HexFormat hex = HexFormat.of();
        byte[] key = hex.parseHex("feffe9928665731c6d6a8f9467308308");
        byte[] iv = hex.parseHex("cafebabefacedbaddecaf888");
        byte[] data = hex.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] aad = hex.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] out = sealed(new AesGcmSealer(new SecretKeySpec(key, "AES")), iv, aad, data);
        assertThat(hex.formatHex(out)).isEqualTo("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47");
    }

    @Test
    void matchesTheJceForEveryLengthAndRepeatedUse() throws Exception {
        Random r = new Random(7);
        byte[] key = new byte[16];
        r.nextBytes(key);
        AesGcmSealer s = new AesGcmSealer(new SecretKeySpec(key, "AES"));
        for (int n = 0; n <= 1300; n += (n < 40 ? 1 : 37)) {
            for (int aadLen : new int[] {0, 12, 13, 28}) {
                byte[] iv = new byte[12];
                byte[] aad = new byte[aadLen];
                byte[] data = new byte[n];
                r.nextBytes(iv);
                r.nextBytes(aad);
                r.nextBytes(data);
                assertThat(sealed(s, iv, aad, data)).as("n=%d aad=%d", n, aadLen).isEqualTo(jce(key, iv, aad, data));
            }
        }
    }
}
