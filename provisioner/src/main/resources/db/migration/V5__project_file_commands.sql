-- Every file command the provisioner has answered, with the outcome it answered (FileCodec's JSON), written in
-- the same transaction as the files it changed: a redelivered command gets this outcome again instead of being
-- applied twice.
CREATE TABLE project_file_commands (
    command_id uuid        PRIMARY KEY,
    project_id uuid        NOT NULL,
    outcome    text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX project_file_commands_applied_at ON project_file_commands (applied_at);
