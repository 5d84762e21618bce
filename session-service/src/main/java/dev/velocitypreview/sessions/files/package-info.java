/**
 * The files API's two paths (DESIGN.md, invariant 1: only the provisioner writes file rows). Writes are
 * {@code FileCommand}s on {@code preview.project-file-commands}, answered by the provisioner on
 * {@code preview.project-file-replies} through spring-kafka's {@code ReplyingKafkaTemplate}; reads go to where the
 * files are stored, {@code project_files}, through an optional read-only datasource. File contents are large and
 * read by path, so a copy of every project's files in every API instance (as the session view is) would multiply
 * storage; and a read after a write that answered 200 sees that write.
 */
@NullMarked
package dev.velocitypreview.sessions.files;

import org.jspecify.annotations.NullMarked;
