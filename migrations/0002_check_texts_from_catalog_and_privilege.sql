DROP TABLE `check_texts`;--> statement-breakpoint
ALTER TABLE `findings` ADD `privilege` text;