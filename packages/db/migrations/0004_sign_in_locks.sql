CREATE TABLE "sign_in_locks" (
	"rep_id" uuid NOT NULL,
	"client" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	CONSTRAINT "sign_in_locks_rep_id_client_pk" PRIMARY KEY("rep_id","client")
);
--> statement-breakpoint
ALTER TABLE "reps" ADD COLUMN "last_failed_login_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sign_in_locks" ADD CONSTRAINT "sign_in_locks_rep_id_reps_id_fk" FOREIGN KEY ("rep_id") REFERENCES "public"."reps"("id") ON DELETE cascade ON UPDATE no action;