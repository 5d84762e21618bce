package dev.velocitypreview.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MediaTypesTest {

    @Test
    void aTypeIsFoundByTheExtensionOfThePathsLastSegmentWhateverItsCase() {
        assertThat(MediaTypes.of("src/App.TSX")).hasValue("text/x-typescript");
        assertThat(MediaTypes.of("index.html")).hasValue("text/html");
        assertThat(MediaTypes.of("img/logo.svg")).hasValue("image/svg+xml");
    }

    @Test
    void noExtensionOrAnUnknownOneHasNoType() {
        assertThat(MediaTypes.of("README")).isEmpty();
        assertThat(MediaTypes.of("conf.d/README")).isEmpty();
        assertThat(MediaTypes.of("app.vue")).isEmpty();
        assertThat(MediaTypes.of("trailing.")).isEmpty();
    }

    @Test
    void textIsTextJsonXmlAndTheirKinButNoBinary() {
        assertThat(MediaTypes.of("a.md").map(MediaTypes::isText)).hasValue(true);
        assertThat(MediaTypes.of("a.json").map(MediaTypes::isText)).hasValue(true);
        assertThat(MediaTypes.of("a.webmanifest").map(MediaTypes::isText)).hasValue(true);
        assertThat(MediaTypes.of("a.svg").map(MediaTypes::isText)).hasValue(true);
        assertThat(MediaTypes.of("a.png").map(MediaTypes::isText)).hasValue(false);
        assertThat(MediaTypes.of("a.wasm").map(MediaTypes::isText)).hasValue(false);
    }
}
