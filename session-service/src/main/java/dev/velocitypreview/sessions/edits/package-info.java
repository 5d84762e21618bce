/**
 * Live edits: the machines' sync channel (the project file notices that wake held syncs, the edit reports the
 * machines send back) and the reports' latest state per session.
 */
@NullMarked
package dev.velocitypreview.sessions.edits;

import org.jspecify.annotations.NullMarked;
