package dev.velocitypreview.sessions.api;

import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import dev.velocitypreview.boot.problem.ProblemCounter;

/**
 * Puts {@link ProblemReportValve} where Tomcat keeps its error report valve, so that what Tomcat
 * refuses on its own is problem+json too. Runs after Spring Boot's customizer, which adds a plain
 * {@link ErrorReportValve}; that one is removed.
 */
@Component
class ContainerProblems implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final ObjectProvider<ProblemCounter> rejected;

    // the web server is created before most beans: the counter is looked up when a refusal is counted
    ContainerProblems(ObjectProvider<ProblemCounter> rejected) {
        this.rejected = rejected;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            StandardHost host = (StandardHost) context.getParent();
            Pipeline pipeline = host.getPipeline();
            for (Valve valve : pipeline.getValves()) {
                if (valve instanceof ErrorReportValve) {
                    pipeline.removeValve(valve);
                }
            }
            // the host adds a valve of this class when it starts unless it finds one
            host.setErrorReportValveClass(ProblemReportValve.class.getName());
            pipeline.addValve(new ProblemReportValve(problem -> rejected.ifAvailable(counter -> counter.count(problem))));
        });
    }
}
