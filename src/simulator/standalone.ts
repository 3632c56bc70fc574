/**
 * The simulator in a process of its own (benchmarks): like real AWS, its clock and event loop are
 * not shared with keywatch's, so its rate limiting measures what keywatch actually sends.
 *
 * Forked with an IPC channel; receives { users, seed, rateLimitPerSecond? } and answers
 * { url } once listening, then { stats } on request.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateAccount } from './generate';
import { startSimulator, type SimulatorHandle, type SimulatorStats } from './server';

interface StartMessage {
  type: 'start';
  users: number;
  seed: number;
  rateLimitPerSecond?: number;
}

export interface StandaloneSimulator {
  url: string;
  users: number;
  keys: number;
  stats(): Promise<SimulatorStats>;
  stop(): Promise<void>;
}

export async function startStandaloneSimulator(options: Omit<StartMessage, 'type'>): Promise<StandaloneSimulator> {
  const child: ChildProcess = fork(__filename, ['--standalone-simulator'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ url: string; keys: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; keys: number }));
    child.once('exit', (code) => reject(new Error(`simulator process exited with code ${code}`)));
    child.send({ type: 'start', ...options } satisfies StartMessage);
  });
  return {
    url: ready.url,
    users: options.users,
    keys: ready.keys,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { stats: SimulatorStats }).stats));
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (require.main === module && process.argv.includes('--standalone-simulator')) {
  let sim: SimulatorHandle | null = null;
  process.on('message', async (raw) => {
    const message = raw as StartMessage | { type: 'stats' };
    if (message.type === 'start') {
      const account = generateAccount({ seed: message.seed, users: message.users, now: new Date() });
      sim = await startSimulator({ account, port: 0, rateLimitPerSecond: message.rateLimitPerSecond });
      process.send!({ url: sim.url, keys: account.users.reduce((n, u) => n + u.accessKeys.length, 0) });
    } else if (message.type === 'stats' && sim) {
      process.send!({ stats: sim.stats });
    }
  });
  process.on('SIGTERM', () => {
    void (sim?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  });
}
