/**
 * Previews as Fly Machines, through the Machines API: {@link dev.velocitypreview.machines.fly.FlyMachinesDriver}
 * and its {@link dev.velocitypreview.machines.fly.FlyMachinesSettings}. Everything else here is the
 * driver's own plumbing (HTTP exchange, rate limits, wire format).
 */
@NullMarked
package dev.velocitypreview.machines.fly;

import org.jspecify.annotations.NullMarked;
