/**
 * Credential ids learned from earlier runs of a target, so that the credential-report source does not
 * ask IAM for them again (the report names a user's access keys and signing certificates by slot and
 * date, never by id).
 *
 * What is known: per credential, the user it belongs to — name, ARN and creation time, so that a user
 * deleted and re-created under the same name is another user — its report slot (1 or 2), its creation
 * (upload) time to the second, and its id; the store adds the run that last confirmed it.
 *
 * A report slot is resolved from this only when ALL of these are equal: the kind, the user's name, ARN
 * and creation second, the slot, and the credential's creation second. Anything else — a new or
 * rotated key, a re-created user, a key that moved to another slot — is unknown, and the collector
 * asks IAM. An id is never invented: a key id and its creation time never change, so the same user
 * with a credential of the same creation second in the same slot is the same credential. (Two
 * credentials of one user created in the same second: only the slot tells them apart, and the live
 * source, which has no slots, does not learn them.)
 *
 * A credential is learned only when it was created at least one whole second before IAM was asked
 * (LEARN_AFTER_MS): a listing made within the credential's creation second could miss a credential
 * created later in that same second, which the report would show with the same date.
 */

export const KNOWN_CREDENTIAL_KINDS = ['access_key', 'signing_certificate'] as const;
export type KnownCredentialKind = (typeof KNOWN_CREDENTIAL_KINDS)[number];

export type CredentialSlot = 1 | 2;

export interface KnownCredential {
  kind: KnownCredentialKind;
  /** AccessKeyId or CertificateId. */
  credentialId: string;
  userName: string;
  userArn: string;
  /** The user's creation time, ms since epoch, whole seconds. */
  userCreatedAt: number;
  slot: CredentialSlot;
  /** The credential's creation (key) or upload (certificate) time, ms since epoch, whole seconds. */
  createdAt: number;
}

/** What one collection learned: a known credential, and whether its slot was seen in a report. */
export interface LearnedCredential extends KnownCredential {
  /**
   * true: a credential report showed it in this slot. false: the slot is its rank by creation time
   * (the live API has no slots); the store then keeps the slot it already knows for this credential,
   * and uses this one only for a credential it did not know.
   */
  slotFromReport: boolean;
}

/** What a run learned, per kind it collected: the store replaces what it knew of those kinds only. */
export interface LearnedCredentials {
  kinds: KnownCredentialKind[];
  credentials: LearnedCredential[];
}

/** A credential must be this much older than the listing that learns it (see the module comment). */
export const LEARN_AFTER_MS = 1000;

/** A time truncated to the second (the report has no milliseconds; AWS dates have none either). */
export const wholeSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** The user a credential belongs to, as the report row (or ListUsers) describes it. */
export interface CredentialOwner {
  userName: string;
  arn: string;
  createdAt: Date;
}

const lookupKey = (kind: KnownCredentialKind, owner: CredentialOwner, slot: CredentialSlot, createdAt: number): string =>
  `${kind}|${owner.userName}|${owner.arn}|${wholeSecond(owner.createdAt.getTime())}|${slot}|${wholeSecond(createdAt)}`;

/** The credentials a target's earlier runs confirmed, looked up by report slot. */
export class KnownCredentials {
  private readonly ids = new Map<string, string>();

  constructor(known: Iterable<KnownCredential>) {
    for (const k of known) {
      this.ids.set(lookupKey(k.kind, { userName: k.userName, arn: k.userArn, createdAt: new Date(k.userCreatedAt) }, k.slot, k.createdAt), k.credentialId);
    }
  }

  /** Nothing known (a target never scanned, or a collector called on its own). */
  static readonly none = new KnownCredentials([]);

  get size(): number {
    return this.ids.size;
  }

  /** The id of the credential a report slot shows, when an earlier run confirmed exactly it; null otherwise. */
  idOf(kind: KnownCredentialKind, owner: CredentialOwner, slot: CredentialSlot, createdAt: Date): string | null {
    return this.ids.get(lookupKey(kind, owner, slot, createdAt.getTime())) ?? null;
  }
}

/**
 * The slots of credentials listed without slots (the live API): their rank by creation time, when the
 * creation seconds of the user's credentials of that kind all differ (and there are at most two);
 * otherwise null — the rank would be a guess.
 */
export function slotsByCreation<T>(credentials: readonly T[], createdAt: (c: T) => Date): Map<T, CredentialSlot> | null {
  if (credentials.length > 2) return null;
  const seconds = credentials.map((c) => wholeSecond(createdAt(c).getTime()));
  if (new Set(seconds).size !== seconds.length) return null;
  const sorted = [...credentials].sort((a, b) => createdAt(a).getTime() - createdAt(b).getTime());
  return new Map(sorted.map((c, i) => [c, (i + 1) as CredentialSlot]));
}

/** Whether a credential created at `createdAt` may be learned from a listing that began at `listedAt` (ms). */
export const learnable = (createdAt: Date, listedAt: number): boolean => wholeSecond(createdAt.getTime()) + LEARN_AFTER_MS <= listedAt;
