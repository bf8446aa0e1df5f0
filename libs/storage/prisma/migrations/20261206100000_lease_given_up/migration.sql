-- A lease its holder gave up (closed the world or handed it over) at its epoch: a renewal that
-- was on its way when it was released no longer brings it back for a whole ttl, which kept a
-- handed-over world from its taker (docs/decisions.md, "World ownership"). An acquisition clears it.
ALTER TABLE "world_leases" ADD COLUMN "given_up" BOOLEAN NOT NULL DEFAULT false;
