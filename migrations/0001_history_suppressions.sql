CREATE TABLE `check_texts` (
	`check_id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`remediation` text NOT NULL
);
--> statement-breakpoint
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
CREATE INDEX `suppressions_finding` ON `suppressions` (`finding_id`);--> statement-breakpoint
DROP INDEX `finding_states_target_from`;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `check_id` text;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `resource_type` text;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `resource_id` text;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `user_name` text;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `ended_by_run_id` integer;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `ended_at` integer;--> statement-breakpoint
ALTER TABLE `finding_states` ADD `end_reason` text;--> statement-breakpoint
CREATE INDEX `finding_states_target_from_to` ON `finding_states` (`target`,`from_run_id`,`to_run_id`);--> statement-breakpoint
DROP INDEX `findings_fingerprint`;--> statement-breakpoint
DROP INDEX `findings_check`;--> statement-breakpoint
CREATE UNIQUE INDEX `findings_identity` ON `findings` (`target`,`check_id`,`resource_id`);--> statement-breakpoint
ALTER TABLE `findings` DROP COLUMN `fingerprint`;--> statement-breakpoint
ALTER TABLE `findings` DROP COLUMN `title`;--> statement-breakpoint
ALTER TABLE `findings` DROP COLUMN `remediation`;