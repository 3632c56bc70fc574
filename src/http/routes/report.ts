/**
 * GET /api/scans/{id}/report: one run as a self-contained, printable HTML page (src/presenters/report-html.ts).
 * An API route like the others (declared with defineRoute, in the OpenAPI document, behind basic auth);
 * the dashboard links to it from each run. The page carries its own Content-Security-Policy: nothing may
 * load, only its inline stylesheet applies (by hash).
 */
import { renderRunReportHtml, REPORT_CSP } from '../../presenters/report-html';
import { runReport } from '../../scans/run-report';
import type { HttpContext } from '../context';
import { defineRoute, type RouteDefinition } from '../define-route';
import { IdParam } from '../schemas';

export function reportRoutes(ctx: HttpContext): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/scans/{id}/report',
      summary: 'A printable HTML report of a run',
      description:
        'One self-contained HTML page (no script, no external resource; print it to PDF from a browser): the run (status, source, times, IAM calls, ' +
        'skipped checks, error), its findings by severity, what changed since the previous succeeded run of the target (new, resolved, changed; ' +
        'at most 500 listed per category, counts complete), and every finding it saw grouped by severity and check, with the remediation. ' +
        'Suppressed findings are included and marked (suppressions as of now). A run that did not succeed gets a report of the run and its error. 404 for an unknown id.',
      tags: ['scans'],
      request: { params: IdParam },
      responses: { 200: { description: 'The report (text/html)', contentType: 'text/html' } },
      errors: [400, 401, 404],
      handler: ({ params }) => {
        const report = runReport(ctx.store, params.id, ctx.clock().getTime());
        return {
          status: 200,
          headers: {
            'Content-Security-Policy': REPORT_CSP,
            'Content-Disposition': `inline; filename="keywatch-run-${report.run.id}.html"`,
            'Cache-Control': 'no-store',
          },
          text: renderRunReportHtml(report, ctx.config.version),
        };
      },
    }),
  ];
}
