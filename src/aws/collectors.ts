/** The snapshot collectors, one per scan source, all with one signature (SnapshotCollector). */
import type { ScanSource } from '../domain/snapshot';
import type { SnapshotCollector } from './collect-context';
import { collectLiveSnapshot } from './collect-live';
import { collectFromCredentialReport } from './credential-report';

export const collectors: Record<ScanSource, SnapshotCollector> = {
  api: collectLiveSnapshot,
  credential_report: collectFromCredentialReport,
};
