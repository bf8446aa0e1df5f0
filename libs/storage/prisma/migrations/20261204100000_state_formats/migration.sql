-- State formats: a world's lease records the newest state format its holders wrote (checkpoints
-- and handovers), and each engine replica reports the newest format it reads (it reads every older
-- one), so a world is only planned for, handed to or shed to a replica that can restore it
-- (docs/decisions.md, "Moving a world"). Rows written before this know one format: 1.
ALTER TABLE "world_leases" ADD COLUMN "state_format" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "engine_replicas" ADD COLUMN "state_format" INTEGER NOT NULL DEFAULT 1;
