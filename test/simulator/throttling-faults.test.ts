import { GetAccountSummaryCommand, ListAccessKeysCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { addUser, emptyAccount } from '../../src/simulator';
import { errorOf, withSimulator } from './helpers';

function account() {
  const a = emptyAccount('123456789012');
  addUser(a, { userName: 'alice' });
  return a;
}

async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  return { ok, errors };
}

describe('simulator: throttling and fault injection', () => {
  test('when 50 calls are fired at once with a limit of 10/s, then the calls above the limit fail with Throttling', async () => {
    await withSimulator({ account: account(), rateLimitPerSecond: 10 }, async (sim, iam) => {
      const { ok, errors } = await settle(Array.from({ length: 50 }, () => iam.send(new GetAccountSummaryCommand({}))));
      expect(ok).toBe(10);
      expect(errors).toHaveLength(40);
      for (const error of errors) {
        expect(error.name).toBe('Throttling');
        expect(error.message).toBe('Rate exceeded');
        expect(error.$metadata.httpStatusCode).toBe(400);
      }
      expect(sim.stats).toMatchObject({ calls: 50, throttled: 40, faults: 0 });
      expect(sim.stats.byAction.GetAccountSummary).toBe(50);
    });
  });

  test('when the 1 s window has passed, then calls are accepted again', async () => {
    await withSimulator({ account: account(), rateLimitPerSecond: 3 }, async (_sim, iam) => {
      const burst = await settle(Array.from({ length: 5 }, () => iam.send(new ListUsersCommand({}))));
      expect(burst.ok).toBe(3);
      await new Promise((r) => setTimeout(r, 1050));
      const next = await settle(Array.from({ length: 3 }, () => iam.send(new ListUsersCommand({}))));
      expect(next.ok).toBe(3);
    });
  });

  test('when the rate limit is removed at runtime, then bursts pass', async () => {
    await withSimulator({ account: account(), rateLimitPerSecond: 1 }, async (sim, iam) => {
      sim.setRateLimit(undefined);
      const { ok } = await settle(Array.from({ length: 20 }, () => iam.send(new ListUsersCommand({}))));
      expect(ok).toBe(20);
    });
  });

  test('when throttleProbability is 0.5 with a seed, then about half the calls are throttled, the same share each run', async () => {
    const run = () =>
      withSimulator({ account: account(), throttleProbability: 0.5, seed: 42 }, async (sim, iam) => {
        for (let i = 0; i < 100; i++) await iam.send(new ListUsersCommand({})).catch(() => undefined);
        return sim.stats.throttled;
      });
    const first = await run();
    expect(first).toBeGreaterThan(30);
    expect(first).toBeLessThan(70);
    expect(await run()).toBe(first);
  });

  test('when an AccessDenied fault is injected for ListAccessKeys, then the 403 message names the action and the user', async () => {
    await withSimulator(
      { account: account(), faults: [{ action: 'ListAccessKeys', error: 'AccessDenied' }] },
      async (sim, iam) => {
        const error = await errorOf(iam.send(new ListAccessKeysCommand({ UserName: 'alice' })));
        expect(error.name).toBe('AccessDenied');
        expect(error.$metadata.httpStatusCode).toBe(403);
        expect(error.message).toBe(
          'User: arn:aws:iam::123456789012:user/keywatch is not authorized to perform: iam:ListAccessKeys on resource: user alice ' +
            'because no identity-based policy allows the iam:ListAccessKeys action',
        );
        // Other actions are not affected; the fault is permanent (times undefined).
        await expect(iam.send(new ListUsersCommand({}))).resolves.toBeDefined();
        await expect(iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).rejects.toMatchObject({ name: 'AccessDenied' });
        expect(sim.stats.faults).toBe(2);
      },
    );
  });

  test('when a fault has times: 2, then only the first two calls fail', async () => {
    await withSimulator(
      { account: account(), faults: [{ action: 'ListUsers', error: 'ServiceUnavailable', times: 2 }] },
      async (_sim, iam) => {
        const first = await errorOf(iam.send(new ListUsersCommand({})));
        expect(first.name).toBe('ServiceUnavailable');
        expect(first.$metadata.httpStatusCode).toBe(503);
        await expect(iam.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'ServiceUnavailable' });
        await expect(iam.send(new ListUsersCommand({}))).resolves.toBeDefined();
      },
    );
  });

  test('when faults are set at runtime, then InternalError answers 500 and clearing them restores service', async () => {
    await withSimulator({ account: account() }, async (sim, iam) => {
      sim.setFaults([{ action: '*', error: 'InternalError' }]);
      const error = await errorOf(iam.send(new GetAccountSummaryCommand({})));
      expect(error.name).toBe('InternalError');
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect(error.$fault).toBe('server');
      sim.setFaults([]);
      await expect(iam.send(new GetAccountSummaryCommand({}))).resolves.toBeDefined();
    });
  });

  test('when resetStats is called, then all counters are zero', async () => {
    await withSimulator({ account: account() }, async (sim, iam) => {
      await iam.send(new ListUsersCommand({}));
      expect(sim.stats.calls).toBe(1);
      sim.resetStats();
      expect(sim.stats).toEqual({ calls: 0, byAction: {}, throttled: 0, faults: 0 });
    });
  });

  test('when latencyMs is 100, then a call takes at least 100 ms', async () => {
    await withSimulator({ account: account(), latencyMs: 100 }, async (_sim, iam) => {
      const started = Date.now();
      await iam.send(new ListUsersCommand({}));
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    });
  });
});
