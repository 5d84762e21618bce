package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class PreviewCookieTest {

    private final UUID id = UUID.fromString("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");

    @Test
    void cookieIsNamedForTheSessionHttpOnlyLaxAndScopedToItsPathInPathStyle() {
        String cookie = PreviewCookie.issue(id, "v1.t", Duration.ofSeconds(300), false, "/s/" + id).toString();

        assertThat(cookie).startsWith("vp_preview_0f1e2d3c=v1.t; Path=/s/" + id + "/; Max-Age=300; Expires=")
                .endsWith("; HttpOnly; SameSite=Lax")
                .doesNotContain("Secure").doesNotContain("Domain");
    }

    @Test
    void cookieIsHostOnlyForTheWholeHostInHostStyleAndSecureOverHttps() {
        String cookie = PreviewCookie.issue(id, "v1.t", Duration.ofSeconds(60), true, null).toString();

        assertThat(cookie).startsWith("vp_preview_0f1e2d3c=v1.t; Path=/; Max-Age=60;")
                .contains("; Secure").contains("; HttpOnly").doesNotContain("Domain");
    }

    @Test
    void valuesAreReadFromEveryCookieHeaderUnquoted() {
        HttpHeaders request = new HttpHeaders();
        request.add(HttpHeaders.COOKIE, "a=1; vp_preview_0f1e2d3c=first");
        request.add(HttpHeaders.COOKIE, "vp_preview_0f1e2d3c=\"second\"; vp_preview_ffffffff=other");

        assertThat(PreviewCookie.values(request, id)).containsExactly("first", "second");
    }

    @Test
    void strippingRemovesEveryPreviewCookieAndKeepsTheOthersAsTheyWere() {
        HttpHeaders request = new HttpHeaders();
        request.add(HttpHeaders.COOKIE, "a=1; vp_preview_0f1e2d3c=t; prefs=x,y");
        request.add(HttpHeaders.COOKIE, "vp_preview_ffffffff=other;b=\"2\"");

        PreviewCookie.strip(request);

        assertThat(request.get(HttpHeaders.COOKIE)).containsExactly("a=1; prefs=x,y; b=\"2\"");
    }

    @Test
    void strippingOnlyPreviewCookiesLeavesNoCookieHeader() {
        HttpHeaders request = new HttpHeaders();
        request.add(HttpHeaders.COOKIE, "vp_preview_0f1e2d3c=t");

        PreviewCookie.strip(request);

        assertThat(request.containsHeader(HttpHeaders.COOKIE)).isFalse();
    }

    @Test
    void requestWithoutPreviewCookiesIsLeftAlone() {
        HttpHeaders request = new HttpHeaders();
        request.add(HttpHeaders.COOKIE, "a=1");
        request.add(HttpHeaders.COOKIE, "b=2");

        PreviewCookie.strip(request);

        assertThat(request.get(HttpHeaders.COOKIE)).containsExactly("a=1", "b=2");
    }
}
