package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.templates.TemplateFile;

class SessionTemplatesTest {

    private static final MachineSize FREE = new MachineSize("shared", 1, 256);
    private static final MachineSize GIG = new MachineSize("shared", 1, 1024);

    private static Template needing(MachineSize minimum) {
        return new Template("next", "Next.js", "Next.js 15", "app/page.jsx", Map.of("next", "15.5.4"), minimum,
                List.of(new TemplateFile("package.json", "{}"), new TemplateFile("app/page.jsx", "")));
    }

    @Test
    void aTemplateWithoutAMinimumFitsEveryTier() {
        assertThatCode(() -> SessionTemplates.requireFits(TemplateCatalog.builtIn().named("react").orElseThrow(),
                Tier.FREE, FREE)).doesNotThrowAnyException();
    }

    @Test
    void aTierWhoseMachineReachesTheMinimumMayUseTheTemplate() {
        assertThatCode(() -> SessionTemplates.requireFits(needing(GIG), Tier.PRO, GIG)).doesNotThrowAnyException();
        assertThatCode(() -> SessionTemplates.requireFits(needing(GIG), Tier.TEAM, new MachineSize("shared", 2, 2048)))
                .doesNotThrowAnyException();
    }

    @Test
    void aSmallerMachineIsRefusedNamingTheTemplateItsMinimumAndTheTiersMachine() {
        ApiProblem refused = catchThrowableOfType(ApiProblem.class,
                () -> SessionTemplates.requireFits(needing(GIG), Tier.FREE, FREE));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(refused.code()).isEqualTo("template_needs_larger_machine");
        assertThat(refused.getBody().getDetail()).isEqualTo("template 'next' needs at least a shared-cpu-1x:1024MB machine;"
                + " the free tier grants shared-cpu-1x:256MB (a tier whose machine is at least that large can use it)");
        assertThat(refused.getBody().getProperties()).containsEntry("template", "next")
                .containsEntry("minimumMachine", "shared-cpu-1x:1024MB").containsEntry("tier", "free")
                .containsEntry("tierMachine", "shared-cpu-1x:256MB").containsEntry("field", "template");
    }

    @Test
    void fewerCpusThanTheMinimumAreRefusedToo() {
        ApiProblem refused = catchThrowableOfType(ApiProblem.class, () -> SessionTemplates.requireFits(
                needing(new MachineSize("shared", 2, 1024)), Tier.PRO, GIG));

        assertThat(refused.code()).isEqualTo("template_needs_larger_machine");
    }

    @Test
    void aRequestWithoutATemplateGetsTheDefault() {
        assertThat(new SessionTemplates().named(null).name()).isEqualTo(TemplateCatalog.DEFAULT);
    }
}
