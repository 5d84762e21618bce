-- The idle timeout the tier granted, as a column of its own so that it reaches the changelog's readers
-- (cleanup suspends a session unused for this long). Sessions created before this column read it from
-- resource_limits, where it has been written in seconds since the first version.
ALTER TABLE preview_sessions ADD COLUMN idle_timeout_ms bigint CHECK (idle_timeout_ms > 0);
UPDATE preview_sessions
   SET idle_timeout_ms = (resource_limits ->> 'idle_timeout_seconds')::bigint * 1000
 WHERE resource_limits ? 'idle_timeout_seconds' AND (resource_limits ->> 'idle_timeout_seconds')::bigint > 0;
