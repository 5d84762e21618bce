package dev.velocitypreview.router.routing;

import java.net.URI;
import java.net.URISyntaxException;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class MalformedRequestProblemsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/", "/s/0b0e6f1c-1b7e-4a4e-9d2a-6c1f9f0e8a11/small.html", "/a%20b/c?q=1&x=%2F",
            "/p;v=1/@me:~x/(a)*!$'+,?next=/b?c", "/assets/index-4f3a.js?v=2"})
    void commonTargetsGoThroughWithoutBeingParsed(String target) throws URISyntaxException {
        assertThat(MalformedRequestProblems.isPlainOriginForm(target)).isTrue();
        new URI(target);
        assertThat(MalformedRequestProblems.problemFor(get(target))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a{b}", "/a|b", "/a%2", "/a%zz", "/a\\b", "/a^b", "/<x>", "/\"q\""})
    void targetsThatAreNoUriAreStillRefused(String target) {
        assertThat(MalformedRequestProblems.isPlainOriginForm(target)).isFalse();
        assertThat(MalformedRequestProblems.problemFor(get(target))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"//host/path", "/a#b", "*", "http://localhost/a"})
    void targetsOutsideThePlainFormAreLeftToTheUriParser(String target) throws URISyntaxException {
        assertThat(MalformedRequestProblems.isPlainOriginForm(target)).isFalse();
        new URI(target);
        assertThat(MalformedRequestProblems.problemFor(get(target))).isNull();
    }

    private static DefaultHttpRequest get(String target) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
    }
}
