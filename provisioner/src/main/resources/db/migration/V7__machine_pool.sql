-- The warm pools: one row per place in a pool, written only by the provisioner. A place is recorded before its
-- machine is created (the slot is the machine's tag, so a create repeated after a crash finds the machine), is
-- 'ready' once its runtime is warm and parked, and 'claimed' from the moment a session takes it (in the same
-- transaction that records the machine on the session's row) until the session is ACTIVE, when the row goes: the
-- machine is the session's from then on. Not captured by the CDC relay: nothing outside the provisioner reads it,
-- and claim_token is a secret.
CREATE TABLE machine_pool (
    slot        uuid        PRIMARY KEY,
    pool        text        NOT NULL,
    template    text        NOT NULL,
    machine     text        NOT NULL,
    claim_token text        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('warming', 'ready', 'claimed')),
    machine_id  text        UNIQUE,
    region      text,
    session_id  uuid        UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    ready_at    timestamptz,
    claimed_at  timestamptz,
    CHECK ((state = 'claimed') = (session_id IS NOT NULL)),
    CHECK (state = 'warming' OR machine_id IS NOT NULL)
);

-- a claim takes the oldest ready place of its pool and size
CREATE INDEX machine_pool_ready ON machine_pool (pool, machine, ready_at) WHERE state = 'ready';
