/**
 * Warm pools: machines made ahead of sessions, one pool per template at one machine size, kept topped up by
 * {@link dev.velocitypreview.provisioner.pool.PoolKeeper} and recorded in {@code machine_pool}
 * ({@link dev.velocitypreview.provisioner.pool.MachinePool}); a CREATE claims a place through
 * {@link dev.velocitypreview.provisioner.pool.WarmPools}.
 */
package dev.velocitypreview.provisioner.pool;
