/**
 * RFC 9457 problem+json as every service answers it: {@link dev.velocitypreview.boot.problem.ProblemRenderer}
 * builds and writes the problems (one problem-type URN for the whole platform), whichever layer refuses the
 * request (Spring MVC, a Tomcat valve, the security filters, WebFlux, a Netty handler);
 * {@link dev.velocitypreview.boot.problem.ProblemCounter} counts them by code.
 */
@NullMarked
package dev.velocitypreview.boot.problem;

import org.jspecify.annotations.NullMarked;
