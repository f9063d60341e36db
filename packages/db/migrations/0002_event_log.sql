CREATE TABLE "consoles" (
	"id" text PRIMARY KEY NOT NULL,
	"rep_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"connected" boolean NOT NULL,
	"microphone" boolean DEFAULT false NOT NULL,
	"leaving" boolean DEFAULT false NOT NULL,
	"last_seen" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "effect_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"position" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"aggregate_kind" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timers" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone
);
--> statement-breakpoint
-- Existing data kept: every session event moves into the one log with its id, chain and hashes as they were.
INSERT INTO "events" ("id", "aggregate_kind", "aggregate_id", "seq", "type", "payload", "actor", "at", "prev_hash", "hash")
	SELECT "id", 'session', "session_id"::text, "seq", "type", "payload", "actor", "at", "prev_hash", "hash" FROM "session_events" ORDER BY "id";--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT coalesce(max("id"), 0) + 1 FROM "events"), false);--> statement-breakpoint
DROP TABLE "session_events" CASCADE;--> statement-breakpoint
ALTER TABLE "consoles" ADD CONSTRAINT "consoles_rep_id_reps_id_fk" FOREIGN KEY ("rep_id") REFERENCES "public"."reps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consoles_rep_idx" ON "consoles" USING btree ("rep_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_aggregate_seq" ON "events" USING btree ("aggregate_kind","aggregate_id","seq");--> statement-breakpoint
CREATE INDEX "timers_due_idx" ON "timers" USING btree ("due_at");--> statement-breakpoint
ALTER TABLE "support_sessions" DROP COLUMN "last_hash";