package dev.vireo.control.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The store holds signing keys and webhook secrets: its directory is the owner's alone (0700, and
 * so is every directory created on the way, the data directory included) and its files are 0600.
 * On a file system without POSIX permissions nothing is changed.
 */
final class PrivateFiles {

    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates {@code dir} (and missing parents) as 0700; an existing {@code dir} is made 0700 too. */
    static void directory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            setIfPosix(dir, DIRECTORY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Makes every regular file directly in {@code dir} 0600. */
    static void filesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    setIfPosix(f, FILE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict the files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void setIfPosix(Path p, Set<PosixFilePermission> perms) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(p).equals(perms)) {
                Files.setPosixFilePermissions(p, perms);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }
}
