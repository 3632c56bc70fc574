/**
 * GetCredentialReport's content read from the raw answer instead of by the SDK's XML parser
 * (src/aws/report-content.ts): the same output, through the real SDK and the simulator over HTTP.
 */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  type GetCredentialReportCommandInput,
  type GetCredentialReportCommandOutput,
} from '@aws-sdk/client-iam';
import type { DeserializeMiddleware } from '@smithy/types';
import { addAccessKey, addUser, daysBefore, emptyAccount, mulberry32, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator';
import { getCredentialReportCommand, liftReportContent } from '../../src/aws/report-content';

const NOW = new Date('2026-06-01T00:00:00Z');

/** An account whose report holds hostile-but-legal user names and a few hundred rows. */
function accountForReport(users: number) {
  const account = emptyAccount('123456789012');
  const rng = mulberry32(7);
  for (let i = 0; i < users; i++) {
    const userName = i % 3 === 0 ? `svc+ci=${i},ops.@-team` : `user-${i}`;
    addUser(account, { userName, createDate: daysBefore(NOW, 400), rng });
    addAccessKey(account, userName, { ageDays: 100 + (i % 50), now: NOW, lastUsedDaysAgo: i % 7, rng });
  }
  return account;
}

async function withSim<T>(options: Partial<SimulatorOptions>, body: (sim: SimulatorHandle, iam: IAMClient) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ account: accountForReport(300), port: 0, now: () => NOW, ...options });
  const iam = new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId: 'AKIDSIM', secretAccessKey: 'sim' }, maxAttempts: 3 });
  try {
    for (let i = 0; i < 50 && (await iam.send(new GenerateCredentialReportCommand({}))).State !== 'COMPLETE'; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return await body(sim, iam);
  } finally {
    iam.destroy();
    await sim.stop();
  }
}

const xml = (content: string) =>
  Buffer.from(
    `<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetCredentialReportResult>` +
      `<Content>${content}</Content><ReportFormat>text/csv</ReportFormat></GetCredentialReportResult></GetCredentialReportResponse>`,
  );

describe('credential report content', () => {
  test('when an answer holds base64 content, then it is decoded and the rest of the answer keeps everything else', () => {
    const csv = 'user,arn\n<root_account>,arn:aws:iam::123456789012:root\nsvc+ci=1,ops.@-team,x\n';
    const lifted = liftReportContent(xml(Buffer.from(csv).toString('base64')));
    expect(lifted?.content.toString('utf8')).toBe(csv);
    expect(lifted?.rest.toString()).toBe(
      '<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetCredentialReportResult>' +
        '<ReportFormat>text/csv</ReportFormat></GetCredentialReportResult></GetCredentialReportResponse>',
    );
  });

  test('when the base64 is wrapped over lines, then it is decoded whole', () => {
    const csv = 'a,b\n'.repeat(100);
    const wrapped = Buffer.from(csv).toString('base64').replace(/(.{76})/g, '$1\n');
    expect(liftReportContent(xml(wrapped))?.content.toString('utf8')).toBe(csv);
  });

  test.each([
    ['has no Content element', Buffer.from('<GetCredentialReportResponse><GetCredentialReportResult/></GetCredentialReportResponse>')],
    ['has a Content element that never closes', Buffer.from('<GetCredentialReportResponse><Content>YWJj')],
    ['has an XML entity inside the content', xml('YWJj&#xA;ZGVm')],
    ['is an error document', Buffer.from('<ErrorResponse><Error><Code>ReportNotPresent</Code></Error></ErrorResponse>')],
  ])('when the answer %s, then it is left to the SDK', (_name, body) => {
    expect(liftReportContent(body)).toBeNull();
  });

  test('when the report is downloaded through the SDK, then the output is the one the SDK parses itself, byte for byte', async () => {
    await withSim({}, async (_sim, iam) => {
      const plain = await iam.send(new GetCredentialReportCommand({}));
      const lifted = await iam.send(getCredentialReportCommand());
      expect(Buffer.from(lifted.Content!).equals(Buffer.from(plain.Content!))).toBe(true);
      expect(Buffer.from(lifted.Content!).toString('utf8')).toContain('svc+ci=0,ops.@-team');
      expect(lifted.GeneratedTime).toEqual(plain.GeneratedTime);
      expect(lifted.ReportFormat).toBe('text/csv');
      expect(lifted.$metadata.httpStatusCode).toBe(200);
    });
  });

  test("when the report is downloaded, then the SDK's XML parser receives the answer without the report in it", async () => {
    await withSim({}, async (_sim, iam) => {
      const command = getCredentialReportCommand();
      const seenByParser: string[] = [];
      // Right inside the SDK's deserializer: what it is about to parse.
      const spy: DeserializeMiddleware<GetCredentialReportCommandInput, GetCredentialReportCommandOutput> = (next) => async (args) => {
        const result = await next(args);
        const body = (result.response as { body?: unknown }).body;
        seenByParser.push(body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '(a stream)');
        return result;
      };
      command.middlewareStack.addRelativeTo(spy, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'testSpy' });
      const out = await iam.send(command);
      expect(out.Content!.length).toBeGreaterThan(10_000);
      expect(seenByParser).toHaveLength(1);
      expect(seenByParser[0]).toContain('<ReportFormat>text/csv</ReportFormat>');
      expect(seenByParser[0]).not.toContain('<Content>');
      expect(seenByParser[0]!.length).toBeLessThan(1_000);
    });
  });

  test('when the first attempt fails with a 500 and the SDK retries, then the second answer gives the content', async () => {
    await withSim({ faults: [{ action: 'GetCredentialReport', error: 'InternalError', times: 1 }] }, async (sim, iam) => {
      const out = await iam.send(getCredentialReportCommand());
      expect(Buffer.from(out.Content!).toString('utf8').split('\n')[0]).toMatch(/^user,arn,user_creation_time,/);
      expect(sim.stats.byAction.GetCredentialReport).toBe(2);
    });
  });

  test('when the report is not present, then the SDK still raises the error by its name', async () => {
    await withSim({ faults: [{ action: 'GetCredentialReport', error: 'ReportNotPresent' }] }, async (_sim, iam) => {
      await expect(iam.send(getCredentialReportCommand())).rejects.toMatchObject({ name: 'CredentialReportNotPresentException' });
    });
  });
});
