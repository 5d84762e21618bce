-- The provisioner is the only writer of these tables (DESIGN.md, invariant 1).
-- preview_sessions is captured by the CDC relay; its columns are the changelog's value format
-- (platform-core SessionRowCodec), so add columns freely but never rename or retype one.

CREATE TABLE projects (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL,
    description   text,
    template_type text        NOT NULL DEFAULT 'static',
    status        text        NOT NULL DEFAULT 'active',
    owner_id      text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE project_files (
    id           uuid        PRIMARY KEY,
    project_id   uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    file_path    text        NOT NULL,
    content      text,
    file_type    text,
    size         bigint      NOT NULL DEFAULT 0,
    version      bigint      NOT NULL DEFAULT 1,
    is_directory boolean     NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT project_files_path_unique UNIQUE (project_id, file_path)
);

CREATE TABLE preview_sessions (
    id              uuid        PRIMARY KEY,
    user_id         text        NOT NULL,
    project_id      uuid        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('REQUESTED', 'PROVISIONING', 'STARTING', 'ACTIVE',
                                                           'SUSPENDED', 'STOPPING', 'TERMINATED', 'FAILED')),
    status_reason   text,
    error           text,
    machine_id      text,
    machine_url     text,
    region          text,
    tier            text        NOT NULL CHECK (tier IN ('free', 'pro', 'team')),
    resource_limits jsonb,
    version         bigint      NOT NULL CHECK (version >= 1),
    requested_at    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    ready_at        timestamptz,
    expires_at      timestamptz,
    terminated_at   timestamptz
);

CREATE INDEX preview_sessions_status_expires ON preview_sessions (status, expires_at);
CREATE INDEX preview_sessions_user ON preview_sessions (user_id);
