-- Who may open a preview: public (anyone with the unguessable URL) or private (a signed preview token).
ALTER TABLE preview_sessions
    ADD COLUMN visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private'));
