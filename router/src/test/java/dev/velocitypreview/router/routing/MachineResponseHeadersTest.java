package dev.velocitypreview.router.routing;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class MachineResponseHeadersTest {

    @Test
    void machineCannotSetAPreviewCookie() {
        HttpHeaders response = new HttpHeaders();
        response.add(HttpHeaders.SET_COOKIE, "session=abc; HttpOnly");
        response.add(HttpHeaders.SET_COOKIE, " vp_preview_0f1e2d3c=forged; Path=/s/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/");

        MachineResponseHeaders.sanitize(response, false);

        assertThat(response.get(HttpHeaders.SET_COOKIE)).containsExactly("session=abc; HttpOnly");
        assertThat(response.containsHeader(HttpHeaders.CACHE_CONTROL)).as("public sessions keep their caching").isFalse();
    }

    @Test
    void privateResponsesAreNeverForSharedCachesButTheBrowserKeepsCaching() {
        assertThat(MachineResponseHeaders.privateCacheControl(null)).isEqualTo("private");
        assertThat(MachineResponseHeaders.privateCacheControl("public, max-age=60, s-maxage=600")).isEqualTo("private, max-age=60");
        assertThat(MachineResponseHeaders.privateCacheControl("no-cache")).isEqualTo("private, no-cache");
        assertThat(MachineResponseHeaders.privateCacheControl("no-store")).isEqualTo("no-store");
        assertThat(MachineResponseHeaders.privateCacheControl("private, max-age=5")).isEqualTo("private, max-age=5");
    }
}
