-- A game module's rules state per (world, role), so the replica that takes a world over gets it
-- back exactly as the last owner saved it (docs/storage.md, "Game states"). Saves are fenced by
-- the world's lease of the same role, read FOR SHARE in the save's transaction. No foreign key to
-- worlds, like world_leases: a world is leased (and its game state saved) before or without its
-- registry row; worlds.delete removes both.
CREATE TABLE "game_states" (
    "world_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "state" BYTEA NOT NULL,
    "state_hash" TEXT NOT NULL,
    "version" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "game_states_pkey" PRIMARY KEY ("world_id","role")
);
