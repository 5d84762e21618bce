/**
 * The project templates a new project starts from, and their catalog.
 *
 * <p>Each template is a complete, runnable npm project stored as class-path resources under
 * {@code templates/<name>/}. Class-path resources cannot be listed from a jar, so
 * {@code templates/catalog.json} names every file of every template; {@link
 * dev.velocitypreview.templates.TemplateCatalog} loads them all once and fails at load when the index
 * names a file that is not there (a unit test proves the index equals the resource tree).
 *
 * <p>A template's dev script follows the dev-server contract in {@code docs/templates.md}: it listens
 * on {@code $HOST:$PORT} and nowhere else, fails when the port is taken, accepts any {@code Host} and
 * lets its HMR client connect back to the page's own origin.
 */
@NullMarked
package dev.velocitypreview.templates;

import org.jspecify.annotations.NullMarked;
