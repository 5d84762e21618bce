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
 * The secrets of one embedded platform: the key that signs API tokens (HS256) and the key shared
 * by the session API (which mints preview tokens) and the router (which checks them). Kept in the
 * data directory, readable by its owner only, so tokens survive a restart; never logged.
 */
public record PlatformSecrets(Secret apiTokenSecret, Secret previewTokenSecret) {

    static final String FILE = "secrets.properties";
    private static final String API_TOKEN = "api-token-secret";
    private static final String PREVIEW_TOKEN = "preview-token-secret";

    /** Fresh random secrets, for tests. */
    public static PlatformSecrets random() {
        return new PlatformSecrets(new Secret(randomSecret()), new Secret(randomSecret()));
    }

    /** The secrets stored in {@code dataDir}, created on first use. */
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
                return new PlatformSecrets(new Secret(api), new Secret(preview));
            }
            PlatformSecrets secrets = random();
            Files.createDirectories(dataDir);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties stored = new Properties();
            stored.setProperty(API_TOKEN, secrets.apiTokenSecret.value());
            stored.setProperty(PREVIEW_TOKEN, secrets.previewTokenSecret.value());
            try (Writer out = Files.newBufferedWriter(file)) {
                stored.store(out, "velocity preview embedded platform secrets; keep private");
            }
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or create " + file, e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[48];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
