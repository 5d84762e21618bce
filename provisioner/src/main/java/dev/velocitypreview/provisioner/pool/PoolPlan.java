package dev.velocitypreview.provisioner.pool;

import java.util.Objects;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.templates.Template;

/**
 * One configured pool.
 *
 * @param key       names what its machines hold: the template and a hash of all its files, so a template whose
 *                  files changed (a new release) is a new pool and the old one's machines are no longer wanted
 * @param deps      the hash of the template's {@code package.json} and {@code package-lock.json}: a project fits the
 *                  pool when its own hash to that is the same, as a running preview does not install dependencies
 * @param machines  how many machines it keeps ready
 */
public record PoolPlan(String key, String deps, Template template, MachineSize size, int machines) {
    public PoolPlan {
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(deps, "deps == null");
        Objects.requireNonNull(template, "template == null");
        Objects.requireNonNull(size, "size == null");
    }
}
