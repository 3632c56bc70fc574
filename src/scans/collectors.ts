/** The snapshot collectors, one per scan source. */
import { collectLiveSnapshot } from '../aws/collect-live';
import { collectFromCredentialReport } from '../aws/credential-report';
import type { ScanSource } from '../domain/snapshot';
import type { SnapshotCollector } from './scan-service';

export const collectors: Partial<Record<ScanSource, SnapshotCollector>> = {
  api: (ctx) => collectLiveSnapshot(ctx.gateway, ctx.needs, ctx.now),
  credential_report: collectFromCredentialReport,
};
