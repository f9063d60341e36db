CREATE TABLE "session_queues" (
	"session_id" uuid NOT NULL,
	"queue_id" uuid NOT NULL,
	CONSTRAINT "session_queues_session_id_queue_id_pk" PRIMARY KEY("session_id","queue_id")
);
--> statement-breakpoint
CREATE TABLE "surveys" (
	"participant_id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"rating" integer NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"answered_at" timestamp with time zone NOT NULL,
	"rep_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"queue_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by_rep_id" uuid,
	"failing_since" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"last_delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "session_queues" ADD CONSTRAINT "session_queues_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surveys" ADD CONSTRAINT "surveys_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_created_by_rep_id_reps_id_fk" FOREIGN KEY ("created_by_rep_id") REFERENCES "public"."reps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_queues_queue_idx" ON "session_queues" USING btree ("queue_id");--> statement-breakpoint
CREATE INDEX "surveys_session_idx" ON "surveys" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "support_sessions_started_idx" ON "support_sessions" USING btree ("started_at","id");--> statement-breakpoint
INSERT INTO "session_queues" ("session_id", "queue_id")
SELECT DISTINCT e."aggregate_id"::uuid, q."queue_id"::uuid
FROM "events" e
CROSS JOIN LATERAL (SELECT COALESCE(e."payload"->'handover'->>'queueId', e."payload"->>'queueId') AS "queue_id") q
WHERE e."aggregate_kind" = 'session'
	AND e."type" IN ('session.requested', 'session.handedOver', 'handover.moved')
	AND q."queue_id" IS NOT NULL
	AND EXISTS (SELECT 1 FROM "support_sessions" s WHERE s."id" = e."aggregate_id"::uuid)
ON CONFLICT DO NOTHING;
