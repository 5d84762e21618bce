-- With the default replica identity an UPDATE that leaves a large (TOASTed) column unchanged, such as
-- a long error, reaches the changelog as Debezium's "__debezium_unavailable_value" placeholder instead
-- of the value. FULL makes every change carry the whole row.
ALTER TABLE preview_sessions REPLICA IDENTITY FULL;
