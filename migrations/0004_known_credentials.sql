CREATE TABLE `known_credentials` (
	`target` text NOT NULL,
	`kind` text NOT NULL,
	`credential_id` text NOT NULL,
	`user_name` text NOT NULL,
	`user_arn` text NOT NULL,
	`user_created_at` integer NOT NULL,
	`slot` integer NOT NULL,
	`created_at` integer NOT NULL,
	`confirmed_run_id` integer NOT NULL,
	PRIMARY KEY(`target`, `kind`, `credential_id`),
	FOREIGN KEY (`confirmed_run_id`) REFERENCES `scan_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `known_credentials_confirmed_run` ON `known_credentials` (`confirmed_run_id`);