/**
 * known_credentials: the credential ids earlier runs of a target learned (src/domain/known-credentials.ts).
 * Read once per scan (the collector's lookup); replaced, per kind a run collected, in the transaction
 * that records the run (history-writer.ts), so a failed run learns nothing.
 */
import type Database from 'better-sqlite3';
import { KnownCredentials, type KnownCredential, type LearnedCredentials } from '../domain/known-credentials';

type Row = [kind: string, credentialId: string, userName: string, userArn: string, userCreatedAt: number, slot: number, createdAt: number];

const ROW_COLUMNS = 'kind, credential_id, user_name, user_arn, user_created_at, slot, created_at';

const toKnown = (r: Row): KnownCredential => ({
  kind: r[0] as KnownCredential['kind'],
  credentialId: r[1],
  userName: r[2],
  userArn: r[3],
  userCreatedAt: r[4],
  slot: r[5] as KnownCredential['slot'],
  createdAt: r[6],
});

export function makeKnownCredentialsRepository(sqlite: Database.Database) {
  const prepare = () => {
    const st = {
      ofTarget: sqlite.prepare(`SELECT ${ROW_COLUMNS} FROM known_credentials WHERE target = ?`),
      ofKinds: sqlite.prepare(`SELECT ${ROW_COLUMNS} FROM known_credentials WHERE target = ? AND kind IN (SELECT value FROM json_each(?))`),
      deleteKinds: sqlite.prepare(`DELETE FROM known_credentials WHERE target = ? AND kind IN (SELECT value FROM json_each(?))`),
      // One statement for every row (thousands per run): the rows travel as one JSON array.
      insertAll: sqlite.prepare(
        `INSERT INTO known_credentials (target, ${ROW_COLUMNS}, confirmed_run_id)
         SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), ?
         FROM json_each(?)`,
      ),
    };
    st.ofTarget.raw();
    st.ofKinds.raw();
    return st;
  };
  let prepared: ReturnType<typeof prepare> | null = null;
  const S = () => (prepared ??= prepare());

  return {
    /** What earlier runs of the target confirmed, as the collector's lookup. */
    ofTarget(target: string): KnownCredentials {
      return new KnownCredentials((S().ofTarget.all(target) as Row[]).map(toKnown));
    },

    /** Every row of the target (tests, diagnostics). */
    listOfTarget(target: string): KnownCredential[] {
      return (S().ofTarget.all(target) as Row[]).map(toKnown);
    },

    /**
     * Replaces what the target knows of the kinds the run collected with what it learned, confirmed by
     * `runId`. A slot guessed from creation order (slotFromReport false) gives way to the slot already
     * known for the same credential of the same user. Call inside the run's transaction.
     */
    replace(target: string, runId: number, learned: LearnedCredentials): void {
      const st = S();
      const kinds = JSON.stringify(learned.kinds);
      const knownSlot = new Map<string, number>();
      for (const r of st.ofKinds.all(target, kinds) as Row[]) knownSlot.set(`${r[0]}|${r[1]}|${r[3]}|${r[4]}|${r[6]}`, r[5]);
      const rows = new Map<string, Row>();
      for (const c of learned.credentials) {
        if (!learned.kinds.includes(c.kind)) continue;
        const slot = c.slotFromReport ? c.slot : (knownSlot.get(`${c.kind}|${c.credentialId}|${c.userArn}|${c.userCreatedAt}|${c.createdAt}`) ?? c.slot);
        rows.set(`${c.kind}|${c.credentialId}`, [c.kind, c.credentialId, c.userName, c.userArn, c.userCreatedAt, slot, c.createdAt]);
      }
      st.deleteKinds.run(target, kinds);
      if (rows.size > 0) st.insertAll.run(target, runId, JSON.stringify([...rows.values()]));
    },
  };
}

export type KnownCredentialsRepository = ReturnType<typeof makeKnownCredentialsRepository>;
