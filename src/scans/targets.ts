/**
 * The targets use case: which accounts keywatch scans now, and how to reach each.
 *
 * Configured targets come from the configuration; with organization discovery, every ACTIVE
 * account of the organization is a target named by its 12-digit account id (its name is the
 * label), reached through `arn:<partition>:iam::<id>:role/<role_name>` — the base credentials' own
 * account without a role. Discovery runs at start-up and before every scheduled cycle. An account
 * that leaves keeps its history and reads inactive; a new one is scanned from the next cycle on. A
 * discovery that fails changes nothing (the last known accounts stay) and is reported.
 */
import type { Logger } from 'pino';
import type { ConfiguredTarget, TargetsConfig } from '../config-targets';
import { accountIdFromArn } from '../aws/collect-live';
import { IamGateway } from '../aws/iam-gateway';
import { emptyCallStats } from '../aws/limiter';
import { discoverOrganization, memberRoleArn } from '../aws/organization';
import type { Target } from '../domain/targets';
import { AppError, isAppError } from '../errors';
import type { StoredTarget, Store, TargetDescription } from '../store';
import type { AccountConnections } from './connections';

/** The outcome of the latest organization discovery. */
export interface DiscoveryStatus {
  at: number;
  ok: boolean;
  /** Active accounts found (ok), or why it failed. */
  accounts?: number;
  error?: string;
  /** Calls it made (STS, Organizations). */
  apiCalls: number;
}

export interface TargetRegistryOptions {
  targets: TargetsConfig;
  store: Store;
  connections: AccountConnections;
  logger: Logger;
  clock: () => Date;
}

export class TargetRegistry {
  private discovery: DiscoveryStatus | null = null;

  constructor(private readonly options: TargetRegistryOptions) {}

  /** Whether the organization is discovered (and so the targets can change at run time). */
  get discovers(): boolean {
    return this.options.targets.organization !== null;
  }

  get lastDiscovery(): DiscoveryStatus | null {
    return this.discovery;
  }

  /** Brings the stored targets up to date: the configured ones, then (discovery on) the organization's accounts. */
  async refresh(): Promise<DiscoveryStatus | null> {
    this.syncConfigured();
    return this.discover();
  }

  /** The configured targets are exactly the configuration's (at start-up, before anything scans). */
  syncConfigured(): void {
    const { targets, store, clock } = this.options;
    store.targets.syncConfigured(targets.configured.map(describeConfigured), clock().getTime());
  }

  /**
   * Discovers the organization's accounts (discovery on; otherwise null). Never throws for an AWS
   * failure: that is logged and kept in lastDiscovery, and the accounts known before stay.
   */
  async discover(): Promise<DiscoveryStatus | null> {
    const { targets, store, clock } = this.options;
    if (!targets.organization) return null;
    const org = targets.organization;
    const stats = emptyCallStats();
    const gateway = new IamGateway(this.options.connections.base, this.options.connections.baseLimiter, stats);
    const log = this.options.logger.child({ component: 'discovery' });
    try {
      const found = await discoverOrganization(gateway);
      const configuredNames = new Set(targets.configured.map((t) => t.name));
      const described: TargetDescription[] = [];
      for (const account of found.accounts) {
        if (org.excludeAccounts.includes(account.id)) continue;
        const own = account.id === found.callerAccountId;
        if (own && !org.includeManagementAccount) continue;
        if (configuredNames.has(account.id)) {
          log.warn({ account_id: account.id }, 'a configured target has the name of a discovered account; the configured one wins');
          continue;
        }
        described.push({
          name: account.id,
          accountId: account.id,
          label: account.name,
          roleArn: own ? null : memberRoleArn(found.partition, account.id, org.roleName),
          source: org.source,
        });
      }
      store.targets.syncDiscovered(described, clock().getTime());
      this.discovery = { at: clock().getTime(), ok: true, accounts: described.length, apiCalls: stats.api_calls };
      log.info({ accounts: described.length, api_calls: stats.api_calls }, 'organization discovered');
    } catch (error) {
      const message = isAppError(error) ? error.message : (error as Error).message;
      this.discovery = { at: clock().getTime(), ok: false, error: message, apiCalls: stats.api_calls };
      log.warn({ error: message }, 'organization discovery failed; the accounts known before stay');
    }
    return this.discovery;
  }

  /** Every known target, active first. */
  list(): Target[] {
    return this.options.store.targets.list().map((t) => this.withAccess(t));
  }

  active(): Target[] {
    return this.list().filter((t) => t.active);
  }

  get(name: string): Target | null {
    const stored = this.options.store.targets.get(name);
    return stored ? this.withAccess(stored) : null;
  }

  /** The one target keywatch knows (active or not) when it knows exactly one; null otherwise. */
  only(): Target | null {
    const all = this.list();
    return all.length === 1 ? all[0]! : null;
  }

  /**
   * The target the v1 compatibility endpoints scan when none is named: the only active target, or
   * else the first configured one (while it is active). undefined when there is no such target
   * (resolve() then names `target` in its 400).
   */
  defaultName(): string | undefined {
    const active = this.active();
    if (active.length === 1) return active[0]!.name;
    const first = this.options.targets.configured[0];
    return first && active.some((t) => t.name === first.name) ? first.name : undefined;
  }

  /**
   * The target a request names, or the only active target when it names none. 400 naming `target`
   * for an unknown or inactive target, and when several are active and none is named.
   */
  resolve(name: string | undefined, field = 'target'): Target {
    if (name === undefined) {
      const active = this.active();
      if (active.length === 1) return active[0]!;
      if (active.length === 0) throw AppError.validation([{ field, message: 'no target is active (see GET /api/targets)' }]);
      throw AppError.validation([{ field, message: `is required: ${active.length} targets are active (${active.map((t) => t.name).join(', ')}); name one, or scan all` }]);
    }
    const target = this.get(name);
    if (!target) throw AppError.validation([{ field, message: `unknown target "${name}"; see GET /api/targets` }]);
    if (!target.active) throw AppError.validation([{ field, message: `target "${name}" is inactive (it left the configuration or the organization); its history stays readable` }]);
    return target;
  }

  /** A stored target with the secret part of its access, which lives in the configuration only. */
  private withAccess(t: StoredTarget): Target {
    const { targets } = this.options;
    const configured = targets.configured.find((c) => c.name === t.name);
    const externalId = t.origin === 'configured' ? (configured?.externalId ?? null) : t.roleArn ? (targets.organization?.externalId ?? null) : null;
    return { ...t, externalId };
  }
}

const describeConfigured = (t: ConfiguredTarget): TargetDescription => ({
  name: t.name,
  // A role's ARN names its account; without a role the account is learnt from the first scan.
  accountId: t.roleArn ? (accountIdFromArn(t.roleArn) ?? null) : null,
  label: null,
  roleArn: t.roleArn,
  source: t.source,
});
