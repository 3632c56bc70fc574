/**
 * The credential report's life cycle, as IAM runs it:
 *   GenerateCredentialReport -> STARTED (a new generation begins), INPROGRESS while it runs,
 *   COMPLETE once `generationMs` (wall clock) have passed; the CSV is built from the live account
 *   at the moment the generation completes (so it matches the live API answers at that time).
 * A completed report younger than `maxAgeMs` is reused by GenerateCredentialReport (AWS: 4 hours);
 * the default 0 means every GenerateCredentialReport after a completed one starts a fresh generation.
 */
import { SimAccount } from './model';
import { buildCredentialReport } from './credential-report';

export type ReportGenerationState = 'STARTED' | 'INPROGRESS' | 'COMPLETE';

export interface CompletedReport {
  csv: string;
  generatedAt: Date;
  /** Wall-clock ms when it completed. */
  completedAtMs: number;
}

export class CredentialReportState {
  private startedAtMs: number | null = null;
  private completed: CompletedReport | null = null;

  constructor(
    private readonly options: {
      generationMs: number;
      maxAgeMs: number;
      now: () => Date;
      clock?: () => number;
      /** cert_N_last_rotated answered N/A (LocalStack / moto behaviour). */
      omitCertificateDates?: boolean;
      /** No `<root_account>` row (LocalStack / moto / some partitions). */
      omitRootRow?: boolean;
    },
  ) {}

  private clock(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  /** Completes a running generation whose time has come. Returns true when it completed in this call. */
  private settle(account: SimAccount): boolean {
    if (this.startedAtMs === null || this.clock() - this.startedAtMs < this.options.generationMs) return false;
    const generatedAt = this.options.now();
    this.completed = {
      csv: buildCredentialReport(account, generatedAt, {
        omitCertificateDates: this.options.omitCertificateDates,
        omitRootRow: this.options.omitRootRow,
      }),
      generatedAt,
      completedAtMs: this.clock(),
    };
    this.startedAtMs = null;
    return true;
  }

  generate(account: SimAccount): ReportGenerationState {
    if (this.settle(account)) return 'COMPLETE';
    if (this.startedAtMs !== null) return 'INPROGRESS';
    if (this.completed && this.clock() - this.completed.completedAtMs < this.options.maxAgeMs) return 'COMPLETE';
    this.completed = null;
    this.startedAtMs = this.clock();
    return 'STARTED';
  }

  /** 'none' = never generated; 'in_progress' = a generation is running and there is no finished report. */
  get(account: SimAccount): CompletedReport | 'none' | 'in_progress' {
    this.settle(account);
    if (this.completed) return this.completed;
    return this.startedAtMs !== null ? 'in_progress' : 'none';
  }
}
