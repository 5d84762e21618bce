package dev.velocitypreview.sessions.identity;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/** Lets slice tests of other packages import the real (package-private) security configuration. */
@TestConfiguration(proxyBeanMethods = false)
@Import(SecurityConfiguration.class)
public class SecurityForTests {
}
