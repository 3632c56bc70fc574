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
CREATE INDEX `known_credentials_confirmed_run` ON `known_credentials` (`confirmed_run_id`);--> statement-breakpoint
DROP INDEX `finding_states_finding`;--> statement-breakpoint
DROP INDEX `finding_states_target_from_to`;--> statement-breakpoint
DROP INDEX `finding_states_target_to`;--> statement-breakpoint
CREATE INDEX `finding_states_finding_from_to` ON `finding_states` (`finding_id`,`from_run_id`,`to_run_id`);--> statement-breakpoint
CREATE INDEX `finding_states_target_from_to_finding` ON `finding_states` (`target`,`from_run_id`,`to_run_id`,`finding_id`);--> statement-breakpoint
CREATE INDEX `finding_states_target_to_from_finding` ON `finding_states` (`target`,`to_run_id`,`from_run_id`,`finding_id`);--> statement-breakpoint
CREATE INDEX `findings_target_check_user` ON `findings` (`target`,`check_id`,`user_name`,`status`);