-- Failover: a lease records the world's spec (what any replica needs to bring it back) and
-- whether it was released on purpose (a closed world is not taken over); engine replicas report
-- their load and capacity, so takeovers and placements spread worlds (docs/decisions.md).
ALTER TABLE "world_leases" ADD COLUMN "spec" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "world_leases" ADD COLUMN "released" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "engine_replicas" (
    "role" TEXT NOT NULL,
    "replica_id" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "worlds" INTEGER NOT NULL,
    "bodies" INTEGER NOT NULL,
    "max_worlds" INTEGER NOT NULL,
    "max_bodies" INTEGER NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "engine_replicas_pkey" PRIMARY KEY ("role","replica_id")
);
