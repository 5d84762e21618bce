package dev.velocitypreview.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading what Next answers; the answers themselves come from a real Next in {@code CompileCheckIT}. */
class NextCompileCheckTest {

    /** SWC's message for an unclosed element, as Next 15 embeds it in the page. */
    private static final String MESSAGE = """
            Module build failed (from ./node_modules/next/dist/build/webpack/loaders/next-swc-loader.js):
            Error:   x Unexpected token. Did you mean `{'}'}` or `&rbrace;`?
               ,-[src/app/page.jsx:4:1]
             1 | 'use client'
             2 | export default function Page() {
             3 |   return <main><h1>broken</h1>
             4 | }
               : ^
               `----
            """;

    @Test
    void anErrorIsCurrentOnlyWhenItsCodeFrameShowsTheFileAsItIsNow() {
        String broken = "'use client'\nexport default function Page() {\n  return <main><h1>broken</h1>\n}\n";
        String fixed = "'use client'\nexport default function Page() {\n  return <main><h1>fixed</h1></main>\n}\n";

        assertThat(NextCompileCheck.isStale(MESSAGE, broken)).isFalse();
        assertThat(NextCompileCheck.isStale(MESSAGE, fixed)).as("the fix is on disk, the error is of before").isTrue();
        assertThat(NextCompileCheck.isStale(MESSAGE, "'use client'\n")).as("the file got shorter").isTrue();
        assertThat(NextCompileCheck.isStale("Module not found: Can't resolve './x'", fixed)).as("no frame").isFalse();
        assertThat(NextCompileCheck.isStale(MESSAGE, null)).as("the file is gone: taken as it is").isFalse();
    }
}
