CREATE TABLE `check_texts` (
	`check_id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`remediation` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `finding_states` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`finding_id` integer NOT NULL,
	`target` text NOT NULL,
	`check_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`user_name` text,
	`severity` text NOT NULL,
	`durable_json` text NOT NULL,
	`from_run_id` integer NOT NULL,
	`from_at` integer NOT NULL,
	`to_run_id` integer,
	`to_at` integer,
	`ended_by_run_id` integer,
	`ended_at` integer,
	`end_reason` text,
	FOREIGN KEY (`finding_id`) REFERENCES `findings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `finding_states_finding` ON `finding_states` (`finding_id`,`from_run_id`);--> statement-breakpoint
CREATE INDEX `finding_states_target_from_to` ON `finding_states` (`target`,`from_run_id`,`to_run_id`);--> statement-breakpoint
CREATE INDEX `finding_states_target_to` ON `finding_states` (`target`,`to_run_id`);--> statement-breakpoint
CREATE TABLE `findings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target` text NOT NULL,
	`check_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`user_name` text,
	`user_arn` text,
	`severity` text NOT NULL,
	`severity_rank` integer NOT NULL,
	`message` text NOT NULL,
	`durable_json` text NOT NULL,
	`volatile_json` text NOT NULL,
	`status` text NOT NULL,
	`first_seen_run_id` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_run_id` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`resolved_run_id` integer,
	`resolved_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `findings_identity` ON `findings` (`target`,`check_id`,`resource_id`);--> statement-breakpoint
CREATE INDEX `findings_target_status_severity` ON `findings` (`target`,`status`,`severity_rank`);--> statement-breakpoint
CREATE INDEX `findings_user` ON `findings` (`user_name`);--> statement-breakpoint
CREATE TABLE `scan_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target` text NOT NULL,
	`account_id` text,
	`source` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`error_code` text,
	`error` text,
	`settings_json` text DEFAULT '{}' NOT NULL,
	`stats_json` text DEFAULT '{}' NOT NULL,
	`skipped_json` text DEFAULT '[]' NOT NULL,
	`report_generated_at` integer
);
--> statement-breakpoint
CREATE INDEX `scan_runs_target_id` ON `scan_runs` (`target`,`id`);--> statement-breakpoint
CREATE INDEX `scan_runs_status` ON `scan_runs` (`status`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target` text NOT NULL,
	`finding_id` integer,
	`check_id` text,
	`user_pattern` text,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	FOREIGN KEY (`finding_id`) REFERENCES `findings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `suppressions_target` ON `suppressions` (`target`);--> statement-breakpoint
CREATE INDEX `suppressions_finding` ON `suppressions` (`finding_id`);