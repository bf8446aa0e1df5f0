-- The position in the world's command log a checkpoint includes: the seq of the last entry
-- applied at or before its tick (0: none), so a restore replays only the entries after it.
ALTER TABLE "checkpoints" ADD COLUMN "log_seq" BIGINT NOT NULL DEFAULT 0;
