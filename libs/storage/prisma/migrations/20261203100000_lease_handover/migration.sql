-- A drained world's handover: a replica that stops a world on purpose (it is shutting down) and
-- leaves it to another records, with the release, where it stopped ({"epoch", "state"}: the epoch
-- it held and what the engine needs, e.g. the tick and command-log seq of its last checkpoint).
-- The next holder, at epoch + 1, knows nothing was written after it (docs/decisions.md, "Moving
-- a world").
ALTER TABLE "world_leases" ADD COLUMN "handover" JSONB;
