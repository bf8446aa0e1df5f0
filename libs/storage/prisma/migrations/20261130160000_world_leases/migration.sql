-- Ownership of worlds by engine replicas: a lease per (world, role) with a fencing epoch that
-- grows at every acquisition (docs/decisions.md, "World ownership"). No foreign key to worlds:
-- a world is leased before anything else about it is stored.
CREATE TABLE "world_leases" (
    "world_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "acquired_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "world_leases_pkey" PRIMARY KEY ("world_id","role")
);

-- The lease epoch a checkpoint was written under (0: written without a lease).
ALTER TABLE "checkpoints" ADD COLUMN "epoch" BIGINT NOT NULL DEFAULT 0;
