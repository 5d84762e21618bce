package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.sessions.SessionServiceProperties.PreviewStyle;

class SessionLinksTest {

    private static final UUID ID = UUID.fromString("3f1c2b7a-9d4e-4f60-8a1b-2c3d4e5f6a7b");

    @Test
    void aHostStylePreviewIsItsOwnHostOnTheRoutersSchemeAndPort() {
        SessionLinks links = SessionLinks.of(URI.create("http://localhost:8081/"), PreviewStyle.HOST,
                "preview.localhost", URI.create("http://localhost:8080"));

        assertThat(links.previewUrl(ID, null)).hasToString("http://" + ID + ".preview.localhost:8081/");
        assertThat(links.previewUrl(ID, "v1.t")).hasToString("http://" + ID + ".preview.localhost:8081/?preview_token=v1.t");
        assertThat(links.statusUrl(ID)).hasToString("http://localhost:8080/v1/sessions/" + ID);
    }

    @Test
    void behindTlsOnTheDefaultPortTheHostStyleLinkNamesNoPort() {
        SessionLinks links = SessionLinks.of(URI.create("https://preview.example.com"), PreviewStyle.HOST,
                "preview.example.com", URI.create("https://api.example.com/"));

        assertThat(links.previewUrl(ID, null)).hasToString("https://" + ID + ".preview.example.com/");
        assertThat(links.statusUrl(ID)).hasToString("https://api.example.com/v1/sessions/" + ID);
    }

    @Test
    void aPathStylePreviewIsUnderTheRoutersBase() {
        SessionLinks links = SessionLinks.of(URI.create("http://localhost:8081/"), PreviewStyle.PATH,
                "preview.localhost", URI.create("http://localhost:8080"));

        assertThat(links.previewUrl(ID, null)).hasToString("http://localhost:8081/s/" + ID + "/");
    }
}
