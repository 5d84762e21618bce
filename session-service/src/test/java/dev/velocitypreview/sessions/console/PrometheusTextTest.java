package dev.velocitypreview.sessions.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.sessions.console.PrometheusText.Sample;

class PrometheusTextTest {

    @Test
    void readsSamplesWithLabelsAndSkipsComments() {
        List<Sample> samples = PrometheusText.parse("""
                # HELP velocity_cleanup_actions_total commands cleanup issued
                # TYPE velocity_cleanup_actions_total counter
                velocity_cleanup_actions_total{action="expire",application="cleanup"} 3.0
                velocity_cleanup_actions_total{action="purge",application="cleanup",} 1.0
                velocity_sync_held 0.0
                """);

        assertThat(samples).containsExactly(
                new Sample("velocity_cleanup_actions_total", Map.of("action", "expire", "application", "cleanup"), 3.0),
                new Sample("velocity_cleanup_actions_total", Map.of("action", "purge", "application", "cleanup"), 1.0),
                new Sample("velocity_sync_held", Map.of(), 0.0));
    }

    @Test
    void unescapesLabelValuesAndReadsSpecialValuesAndTimestamps() {
        List<Sample> samples = PrometheusText.parse("""
                a_bucket{le="+Inf",path="C:\\\\dir \\"x\\"\\nnext"} 7 1700000000000
                b NaN
                c -Inf
                d 1.5e3
                """);

        assertThat(samples.get(0).labels()).containsEntry("le", "+Inf").containsEntry("path", "C:\\dir \"x\"\nnext");
        assertThat(samples.get(0).value()).isEqualTo(7.0);
        assertThat(samples.get(1).value()).isNaN();
        assertThat(samples.get(2).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(samples.get(3).value()).isEqualTo(1500.0);
    }

    @Test
    void aLineThatDoesNotParseIsSkippedAndTheOthersAreKept() {
        List<Sample> samples = PrometheusText.parse("""
                good_one 1
                broken{label="never closed 2
                no_value
                bad_value{a="b"} twelve
                {="x"} 3
                good_two{a="b"} 2
                """);

        assertThat(samples).extracting(Sample::name).containsExactly("good_one", "good_two");
    }

    @Test
    void emptyTextHasNoSamples() {
        assertThat(PrometheusText.parse("")).isEmpty();
    }
}
