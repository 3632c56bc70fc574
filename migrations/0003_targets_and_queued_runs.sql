CREATE TABLE `targets` (
	`name` text PRIMARY KEY NOT NULL,
	`account_id` text,
	`label` text,
	`origin` text NOT NULL,
	`role_arn` text,
	`source` text NOT NULL,
	`active` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_suppressions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target` text,
	`finding_id` integer,
	`check_id` text,
	`user_pattern` text,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	FOREIGN KEY (`finding_id`) REFERENCES `findings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_suppressions`("id", "target", "finding_id", "check_id", "user_pattern", "reason", "created_at", "expires_at") SELECT "id", "target", "finding_id", "check_id", "user_pattern", "reason", "created_at", "expires_at" FROM `suppressions`;--> statement-breakpoint
DROP TABLE `suppressions`;--> statement-breakpoint
ALTER TABLE `__new_suppressions` RENAME TO `suppressions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `suppressions_target` ON `suppressions` (`target`);--> statement-breakpoint
CREATE INDEX `suppressions_finding` ON `suppressions` (`finding_id`);--> statement-breakpoint
ALTER TABLE `findings` ADD `account_id` text;--> statement-breakpoint
CREATE INDEX `findings_status_severity` ON `findings` (`status`,`severity_rank`);--> statement-breakpoint
ALTER TABLE `scan_runs` ADD `account_name` text;