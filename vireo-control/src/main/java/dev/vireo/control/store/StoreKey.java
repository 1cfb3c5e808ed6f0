package dev.vireo.control.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store key's file ({@code store.key-file}, default {@code <data dir>/store.key}): 32 random
 * bytes, outside the store, so a copy of the database (a backup, a dump, the H2 file) holds no
 * secret in clear. Created 0600 on the first start with {@link SecureRandom}; also read as one line
 * of Base64 of 32 bytes ({@code openssl rand -base64 32 > store.key}). Every node of a cluster needs
 * the same file.
 */
public final class StoreKey {

    private static final Logger log = LoggerFactory.getLogger(StoreKey.class);

    private StoreKey() {
    }

    /**
     * Reads the key file, or creates it (0600, its directory 0700) when it does not exist.
     *
     * @throws IllegalStateException when the file cannot be read or created or does not hold a key;
     *     the message says which file and why (never the key)
     */
    public static SecretCodec loadOrCreate(Path file) {
        Path f = file.toAbsolutePath().normalize();
        try {
            if (!Files.exists(f)) {
                create(f);
            }
            byte[] raw = Files.readAllBytes(f);
            byte[] key = parse(raw);
            Arrays.fill(raw, (byte) 0);
            if (key == null) {
                throw new IllegalStateException("the store key file " + f + " does not hold a key: it must be "
                        + SecretCodec.KEY_BYTES + " bytes, or one line of Base64 of " + SecretCodec.KEY_BYTES + " bytes");
            }
            warnIfShared(f);
            SecretCodec codec = new SecretCodec(key);
            Arrays.fill(key, (byte) 0);
            return codec;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the store key file " + f + ": " + e.getMessage(), e);
        }
    }

    /** The key in a file's bytes: 32 raw bytes, or Base64 of 32 bytes (surrounding white space ignored). */
    static byte[] parse(byte[] raw) {
        if (raw.length == SecretCodec.KEY_BYTES) {
            return raw.clone();
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        try {
            byte[] key = Base64.getDecoder().decode(text);
            return key.length == SecretCodec.KEY_BYTES ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Writes a new key beside {@code f} and links it into place, so nodes starting at once on a shared
     * directory never read a half-written file: one link wins, the others read the winner's key.
     */
    private static void create(Path f) throws IOException {
        Path dir = f.getParent() == null ? Path.of(".") : f.getParent();
        PrivateFiles.directory(dir);
        byte[] key = new byte[SecretCodec.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, ".store-key", ".tmp", PosixFilePermissions.asFileAttribute(PrivateFiles.FILE));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(dir, ".store-key", ".tmp");
        }
        try {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(key));
                ch.force(true); // on disk before the store seals anything under it: a crash must not lose the key
            }
            try {
                Files.createLink(f, tmp);
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, f);
            }
            log.info("created the store key {} (keep it, and copy it to every node of a cluster: without it the"
                    + " store's secrets cannot be read)", f);
        } catch (FileAlreadyExistsException e) {
            // another process created it meanwhile: read that one
        } finally {
            Arrays.fill(key, (byte) 0);
            Files.deleteIfExists(tmp);
        }
    }

    private static void warnIfShared(Path f) {
        try {
            var perms = Files.getPosixFilePermissions(f);
            if (!PrivateFiles.FILE.containsAll(perms)) {
                log.warn("the store key file {} is readable by others ({}): make it 0600",
                        f, PosixFilePermissions.toString(perms));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system
        }
    }
}
