package dev.velocitypreview.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

import dev.velocitypreview.core.config.Secret;

/**
 * The secrets of one embedded platform: the key that signs API tokens (HS256), the key shared by the session API
 * (which mints preview tokens) and the router (which checks them), and the key shared by the provisioner (which gives
 * each machine its session's sync token) and the session API (which checks a machine's syncs). Kept in the data
 * directory, readable by its owner only, so tokens survive a restart (a local machine started again keeps the sync
 * token it was created with); never logged.
 */
public record PlatformSecrets(Secret apiTokenSecret, Secret previewTokenSecret, Secret syncSecret) {

    static final String FILE = "secrets.properties";
    private static final String API_TOKEN = "api-token-secret";
    private static final String PREVIEW_TOKEN = "preview-token-secret";
    private static final String SYNC = "sync-secret";

    /** Fresh random secrets, for tests. */
    public static PlatformSecrets random() {
        return new PlatformSecrets(new Secret(randomSecret()), new Secret(randomSecret()), new Secret(randomSecret()));
    }

    /** The secrets stored in {@code dataDir}, created on first use; a secret a data directory lacks is added. */
    static PlatformSecrets loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties stored = new Properties();
                try (Reader in = Files.newBufferedReader(file)) {
                    stored.load(in);
                }
                String api = stored.getProperty(API_TOKEN);
                String preview = stored.getProperty(PREVIEW_TOKEN);
                if (api == null || preview == null) {
                    throw new IllegalStateException(file + " lacks " + API_TOKEN + " or " + PREVIEW_TOKEN
                            + ": delete it (tokens issued so far stop working) or start with --clean");
                }
                String sync = stored.getProperty(SYNC);
                if (sync == null) {
                    // a data directory from before live edits: nothing was issued under this key yet
                    sync = randomSecret();
                    stored.setProperty(SYNC, sync);
                    store(stored, file);
                }
                return new PlatformSecrets(new Secret(api), new Secret(preview), new Secret(sync));
            }
            PlatformSecrets secrets = random();
            Files.createDirectories(dataDir);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties stored = new Properties();
            stored.setProperty(API_TOKEN, secrets.apiTokenSecret.value());
            stored.setProperty(PREVIEW_TOKEN, secrets.previewTokenSecret.value());
            stored.setProperty(SYNC, secrets.syncSecret.value());
            store(stored, file);
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or create " + file, e);
        }
    }

    private static void store(Properties stored, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            stored.store(out, "velocity preview embedded platform secrets; keep private");
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[48];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
