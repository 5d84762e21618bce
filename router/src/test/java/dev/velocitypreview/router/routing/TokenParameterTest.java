package dev.velocitypreview.router.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenParameterTest {

    @Test
    void strippingKeepsEveryOtherParameterByteForByteAndInOrder() {
        assertThat(TokenParameter.strip("a=1&preview_token=v1.x&b=%20y+z&c")).isEqualTo("a=1&b=%20y+z&c");
        assertThat(TokenParameter.strip("preview_token=v1.x")).isNull();
        assertThat(TokenParameter.strip("preview_token")).isNull();
        assertThat(TokenParameter.strip(null)).isNull();
        assertThat(TokenParameter.strip("a=1")).isEqualTo("a=1");
    }

    @Test
    void encodedOrRepeatedNamesAreStrippedToo() {
        assertThat(TokenParameter.strip("preview%5Ftoken=v1.x&preview_token=v1.y&x=1")).isEqualTo("x=1");
        assertThat(TokenParameter.values("preview%5Ftoken=v1.x&preview_token=v1.y&x=1")).containsExactly("v1.x", "v1.y");
    }

    @Test
    void valuesAreDecodedAndLookalikesIgnored() {
        assertThat(TokenParameter.values("preview_token=v1.a%2Eb")).containsExactly("v1.a.b");
        assertThat(TokenParameter.values("preview_tokens=x&my_preview_token=y&%zz=1")).isEmpty();
        assertThat(TokenParameter.values("preview_token")).containsExactly("");
        assertThat(TokenParameter.values(null)).isEmpty();
    }
}
