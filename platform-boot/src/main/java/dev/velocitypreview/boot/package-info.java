/**
 * Spring plumbing shared by every service, so each policy (how a problem is rendered, how a Kafka
 * client is configured, how the session directory is hosted) lives in one place.
 */
@NullMarked
package dev.velocitypreview.boot;

import org.jspecify.annotations.NullMarked;
