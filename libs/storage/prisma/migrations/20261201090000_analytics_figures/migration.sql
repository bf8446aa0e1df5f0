-- The analytics module's figures per world (docs/analytics.md). Every bus event is applied in
-- one transaction together with its row in "analytics_applied_events", whose primary key makes a
-- redelivered event a no-op. No foreign keys to worlds: analytics follows the event topics,
-- which may name worlds this database never stored.
CREATE TABLE "analytics_worlds" (
    "world_id" TEXT NOT NULL,
    "players_now" INTEGER NOT NULL DEFAULT 0,
    "events" BIGINT NOT NULL DEFAULT 0,
    "malformed" BIGINT NOT NULL DEFAULT 0,
    "joins" BIGINT NOT NULL DEFAULT 0,
    "leaves" BIGINT NOT NULL DEFAULT 0,
    "repeated_joins" BIGINT NOT NULL DEFAULT 0,
    "unmatched_leaves" BIGINT NOT NULL DEFAULT 0,
    "sessions" BIGINT NOT NULL DEFAULT 0,
    "command_entries" BIGINT NOT NULL DEFAULT 0,
    "intents" BIGINT NOT NULL DEFAULT 0,
    "epoch_markers" BIGINT NOT NULL DEFAULT 0,
    "first_event_at" TIMESTAMPTZ(3),
    "last_event_at" TIMESTAMPTZ(3),

    CONSTRAINT "analytics_worlds_pkey" PRIMARY KEY ("world_id")
);

CREATE TABLE "analytics_applied_events" (
    "world_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "analytics_applied_events_pkey" PRIMARY KEY ("world_id","event_id")
);

CREATE TABLE "analytics_open_players" (
    "world_id" TEXT NOT NULL,
    "player_id" TEXT NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "analytics_open_players_pkey" PRIMARY KEY ("world_id","player_id")
);

CREATE TABLE "analytics_player_buckets" (
    "world_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "joins" INTEGER NOT NULL,
    "leaves" INTEGER NOT NULL,
    "peak" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "analytics_player_buckets_pkey" PRIMARY KEY ("world_id","bucket_start")
);

CREATE TABLE "analytics_command_seconds" (
    "world_id" TEXT NOT NULL,
    "second" TIMESTAMPTZ(3) NOT NULL,
    "entries" INTEGER NOT NULL,
    "intents" INTEGER NOT NULL,

    CONSTRAINT "analytics_command_seconds_pkey" PRIMARY KEY ("world_id","second")
);

CREATE TABLE "analytics_sessions" (
    "world_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "player_id" TEXT NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL,
    "left_at" TIMESTAMPTZ(3) NOT NULL,
    "length_ms" BIGINT NOT NULL,

    CONSTRAINT "analytics_sessions_pkey" PRIMARY KEY ("world_id","event_id")
);
