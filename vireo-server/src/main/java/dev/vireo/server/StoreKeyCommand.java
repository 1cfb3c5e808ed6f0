package dev.vireo.server;

import dev.vireo.control.model.ControlConfig;
import dev.vireo.control.store.Database;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code vireo rotate-store-key NEW_KEY_FILE [options]}: re-encrypts every secret of the control store
 * (the one the options name: {@code data-dir}, {@code store.url}, {@code store.key-file}, from flags,
 * environment or YAML as for the server) with the key in {@code NEW_KEY_FILE}, created with 32 random
 * bytes when it does not exist. Every node must be stopped (the embedded store is locked by a running
 * server anyway); afterwards every node gets the new file as {@code store.key-file}.
 */
final class StoreKeyCommand {

    private StoreKeyCommand() {
    }

    /** Runs the command; returns the process exit code (0 done, 1 failed, 2 usage). */
    static int run(String[] args, Map<String, String> env, Path workingDir, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].startsWith("-")) {
            err.println("usage: vireo rotate-store-key NEW_KEY_FILE [--data-dir DIR] [--store-url URL]"
                    + " [--store-key-file CURRENT_KEY_FILE]");
            return 2;
        }
        Config config;
        try {
            ConfigLoader.Outcome outcome = ConfigLoader.load(Arrays.asList(args).subList(1, args.length), env, workingDir);
            if (!(outcome instanceof ConfigLoader.Run run)) {
                err.println("vireo rotate-store-key: takes the server's options, not --help");
                return 2;
            }
            config = run.config();
        } catch (ConfigException e) {
            err.println("vireo rotate-store-key: " + e.getMessage());
            return 2;
        }
        Path newKey = workingDir.resolve(args[0]);
        ControlConfig control = ControlConfig.defaults(config.dataDir())
                .withJdbc(config.cluster().storeUrl(), "", "")
                .withStoreKeyFile(config.store().keyFile());
        try (Database db = Database.open(control)) {
            String old = db.secrets().keyId();
            int n = db.rotateStoreKey(newKey);
            out.println("re-encrypted " + n + " secrets of the store: key " + old + " replaced by the key in " + newKey
                    + "; start every node with store.key-file (VIREO_STORE_KEY_FILE) set to that file");
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("vireo rotate-store-key: " + e.getMessage());
            return 1;
        }
    }
}
