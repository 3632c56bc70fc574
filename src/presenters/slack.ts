/**
 * The webhook's Slack notification (KEYWATCH_WEBHOOK_FORMAT=slack): Slack's incoming-webhook format,
 * a fallback `text` and Block Kit `blocks`, listing the first new and resolved findings — each with
 * its severity, its check's title, its user (where there is one) and its resource id.
 */
import { checkText } from '../checks/catalog';
import type { DiffItem, RunDiff } from '../scans/diff';

const SEVERITY_EMOJI: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/** Slack mrkdwn escaping (&, <, >). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One finding: severity, title, then the user and the resource id (an access key, SSH key, certificate, ARN, `root`, account id, …). */
export function slackLine({ state: i }: DiffItem): string {
  const resource = `\`${esc(i.resourceId)}\``;
  const where = i.userName !== null ? `${esc(i.userName)} (${resource})` : resource;
  return `${SEVERITY_EMOJI[i.severity] ?? ''} *${esc(i.severity)}* ${esc(checkText(i.checkId).title)} — ${where}`;
}

function slackLines(items: readonly DiffItem[], maxItems: number): string {
  const lines = items.slice(0, maxItems).map(slackLine);
  if (items.length > maxItems) lines.push(`…and ${items.length - maxItems} more`);
  return lines.join('\n');
}

export function slackPayload(diff: RunDiff, maxItems: number): { text: string; blocks: Record<string, unknown>[] } {
  const where = `target ${diff.run.target}${diff.run.accountId ? ` (account ${diff.run.accountId})` : ''}`;
  const text = `keywatch: ${diff.new.length} new and ${diff.resolved.length} resolved IAM findings in ${where}, run ${diff.run.id}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `keywatch: ${diff.new.length} new, ${diff.resolved.length} resolved`.slice(0, 150) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: esc(`Run ${diff.run.id} of ${where}${diff.base ? ` compared with run ${diff.base.id}` : ' (first run)'}: ${diff.changed.length} changed, ${diff.unchanged} unchanged.`),
      },
    },
  ];
  if (diff.new.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*New*\n${slackLines(diff.new, maxItems)}`.slice(0, 3000) } });
  if (diff.resolved.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Resolved*\n${slackLines(diff.resolved, maxItems)}`.slice(0, 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: esc(`GET /api/scans/${diff.run.id}/diff for the full lists`) }] });
  return { text, blocks };
}
