package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

class ProjectRequestTest {

    private static final String SESSION = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

    @Test
    void theSessionsOwnPrefixIsRemovedAndThePathDecoded() {
        assertThat(ProjectRequest.of(URI.create("/s/" + SESSION + "/a%20b/c.js?x=1"), SESSION))
                .isEqualTo(new ProjectRequest("/a b/c.js", "x=1"));
        assertThat(ProjectRequest.of(URI.create("/s/" + SESSION + "/"), SESSION)).isEqualTo(new ProjectRequest("/", null));
        assertThat(ProjectRequest.of(URI.create("/s/" + SESSION + "//evil.example/x"), SESSION).path())
                .isEqualTo("//evil.example/x");
    }

    @Test
    void otherPathsAreLeftAsTheyAre() {
        assertThat(ProjectRequest.of(URI.create("/docs/"), SESSION).path()).isEqualTo("/docs/");
        assertThat(ProjectRequest.of(URI.create("/s/" + SESSION + "/x"), null).path()).isEqualTo("/s/" + SESSION + "/x");
        assertThat(ProjectRequest.of(URI.create("/s/%30f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/x"), SESSION).path())
                .as("an encoded prefix is not the prefix").isEqualTo("/s/" + SESSION + "/x");
        assertThat(ProjectRequest.of(URI.create("/x/s/" + SESSION + "/y"), SESSION).path()).isEqualTo("/x/s/" + SESSION + "/y");
    }

    @Test
    void thePreviewTokenParameterIsRemovedEveryOtherKeptByteForByte() {
        assertThat(ProjectRequest.withoutReserved("a=1&preview_token=v1.x&b=%20y+z&c")).isEqualTo("a=1&b=%20y+z&c");
        assertThat(ProjectRequest.withoutReserved("preview%5Ftoken=v1.x&preview_token")).isNull();
        assertThat(ProjectRequest.withoutReserved("preview_tokens=1&my_preview_token=2&%zz=3"))
                .isEqualTo("preview_tokens=1&my_preview_token=2&%zz=3");
        assertThat(ProjectRequest.withoutReserved(null)).isNull();
    }
}
