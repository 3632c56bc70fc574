/**
 * Webhook notifications after a run (src/scans/notifier.ts): the formats a receiver can ask for
 * (KEYWATCH_WEBHOOK_FORMAT) and the outcomes recorded on the run (stats.notification).
 */
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const NOTIFICATION_STATUSES = ['delivered', 'failed', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
