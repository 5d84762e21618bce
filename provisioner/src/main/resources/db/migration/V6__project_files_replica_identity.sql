-- project_files is captured by the CDC relay, which tells each change as a notice (project, path, version; never the
-- content). With the default replica identity a DELETE carries only the primary key (id) in the WAL, so its notice
-- could not say which project and path went. The unique (project_id, file_path) index carries both and only them:
-- unlike FULL, an UPDATE does not log the old content beside the new.
ALTER TABLE project_files REPLICA IDENTITY USING INDEX project_files_path_unique;
