package dev.velocitypreview.router.routing;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.router.routing.PreviewAddress.Kind;

import static org.assertj.core.api.Assertions.assertThat;

class PreviewAddressTest {

    private static final String DOMAIN = "preview.localhost";
    private final UUID id = UUID.randomUUID();

    @Test
    void pathStyleSendsWhatFollowsTheIdToTheMachine() {
        PreviewAddress address = PreviewAddress.resolve("/s/" + id + "/assets/app.js", "localhost:8081", DOMAIN);

        assertThat(address.kind()).isEqualTo(Kind.PREVIEW);
        assertThat(address.sessionId()).isEqualTo(id);
        assertThat(address.path()).isEqualTo("/assets/app.js");
        assertThat(address.prefix()).isEqualTo("/s/" + id);
    }

    @Test
    void pathStyleRootIsTheMachineRoot() {
        PreviewAddress address = PreviewAddress.resolve("/s/" + id + "/", "localhost", DOMAIN);

        assertThat(address.kind()).isEqualTo(Kind.PREVIEW);
        assertThat(address.path()).isEqualTo("/");
    }

    @Test
    void pathStyleWithoutTrailingSlashAsksForOne() {
        PreviewAddress address = PreviewAddress.resolve("/s/" + id, "localhost", DOMAIN);

        assertThat(address.kind()).isEqualTo(Kind.ADD_SLASH);
        assertThat(address.prefix()).isEqualTo("/s/" + id);
    }

    @Test
    void hostStyleSendsTheWholePathWhateverThePortAndCase() {
        PreviewAddress address = PreviewAddress.resolve("/s/other/x", id.toString().toUpperCase() + ".Preview.Localhost:8081", DOMAIN);

        assertThat(address.kind()).isEqualTo(Kind.PREVIEW);
        assertThat(address.sessionId()).isEqualTo(id);
        assertThat(address.path()).isEqualTo("/s/other/x");
        assertThat(address.prefix()).isNull();
    }

    @Test
    void malformedIdsAreRejectedInBothStyles() {
        assertThat(PreviewAddress.resolve("/s/not-a-uuid/", "localhost", DOMAIN).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(PreviewAddress.resolve("/s/" + id + "%0d%0a/", "localhost", DOMAIN).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(PreviewAddress.resolve("/", "evil.preview.localhost", DOMAIN).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(PreviewAddress.resolve("/", "a." + id + ".preview.localhost", DOMAIN).kind()).isEqualTo(Kind.MALFORMED);
        assertThat(PreviewAddress.resolve("/s/nope", "localhost", DOMAIN).rawId()).isEqualTo("nope");
    }

    @Test
    void otherRequestsAreNotPreviews() {
        assertThat(PreviewAddress.resolve("/actuator/health", "localhost:8081", DOMAIN).kind()).isEqualTo(Kind.NONE);
        assertThat(PreviewAddress.resolve("/s/", "localhost:8081", DOMAIN).kind()).isEqualTo(Kind.NONE);
        assertThat(PreviewAddress.resolve("/", "preview.localhost:8081", DOMAIN).kind()).isEqualTo(Kind.NONE);
        assertThat(PreviewAddress.resolve("/", "[::1]:8081", DOMAIN).kind()).isEqualTo(Kind.NONE);
        assertThat(PreviewAddress.resolve("/", null, DOMAIN).kind()).isEqualTo(Kind.NONE);
        assertThat(PreviewAddress.resolve("/", id + ".example.com", DOMAIN).kind()).isEqualTo(Kind.NONE);
    }
}
