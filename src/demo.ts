/**
 * Demo mode: keywatch against the built-in simulated AWS account (no AWS account needed). The
 * account changes a little after every scan (a key rotated, a user added, a key deactivated) so
 * the history and diffs show change.
 */
import type { Logger } from 'pino';
import { evolveAccount, generateAccount, startSimulator, type SimulatorHandle } from './simulator';

export const DEMO_CREDENTIALS = { accessKeyId: 'AKIDEMOKEYWATCH00000', secretAccessKey: 'demo-secret-not-real' };

export async function startDemoAccount(options: { users: number; seed: number; logger: Logger }): Promise<{
  simulator: SimulatorHandle;
  evolve(): void;
}> {
  const account = generateAccount({ seed: options.seed, users: options.users, now: new Date() });
  const simulator = await startSimulator({ account, port: 0, seed: options.seed });
  let generation = 0;
  return {
    simulator,
    evolve: () => {
      generation++;
      const changes = evolveAccount(simulator.account, { seed: options.seed + generation, now: new Date() });
      options.logger.info({ changes }, 'demo: the simulated account changed');
    },
  };
}
