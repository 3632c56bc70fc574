CREATE TABLE `readiness_probe` (
	`id` integer PRIMARY KEY NOT NULL,
	`checked_at` integer NOT NULL,
	`room` blob
);
--> statement-breakpoint
CREATE TABLE `scan_leases` (
	`target` text PRIMARY KEY NOT NULL,
	`run_id` integer NOT NULL,
	`owner_id` text NOT NULL,
	`owner_pid` integer NOT NULL,
	`owner_host` text NOT NULL,
	`acquired_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `scan_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `scan_runs` ADD `heartbeat_at` integer;