-- A checkpoint records when its writer appended the last command-log entry its state includes (the
-- writer's clock, the one its log records are stamped with), so a restore reads the world's
-- partition from about then instead of from a minute before the checkpoint was saved
-- (docs/decisions.md, "Command log"). Rows written before this do not know it: NULL.
ALTER TABLE "checkpoints" ADD COLUMN "log_appended_at" TIMESTAMPTZ(3);
