/**
 * The web dashboard at /ui/ (and `/` → /ui/): static files from src/ui — plain ES modules, no build
 * step beyond `npm run build` copying them to dist/ui — and Chart.js's own browser file from
 * node_modules. Behind the API's basic auth (the browser's login prompt), with a strict
 * Content-Security-Policy: every script, style, font and request comes from keywatch itself, and no
 * inline script or style runs. The dashboard reads the public REST API only (src/ui/api.js).
 *
 * Any /ui/ path without a file extension (/ui/findings/12) answers index.html, which picks the page
 * from the path; a missing file (/ui/nope.js) is a 404 like any unknown path.
 */
import path from 'node:path';
import express, { Router, type NextFunction, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { AppError } from '../errors';

/** src/ui (tests, ts-node) or dist/ui (the build copies it there): a sibling of this file's folder either way. */
export const UI_DIR = path.resolve(__dirname, '..', 'ui');

/** Chart.js's browser build (UMD: defines window.Chart), served as swagger-ui-express serves Swagger UI. */
export const CHART_JS_FILE = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');

/** The only kinds of file the dashboard serves from UI_DIR (index.html is answered for page paths). */
const SERVED_EXTENSIONS = new Set(['.js', '.css', '.svg']);

export const DASHBOARD_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Sends one of the dashboard's own files; one that is missing is a broken installation, said so (500), not a 404 of the client's. */
function sendOwnFile(res: Response, next: NextFunction, file: string): void {
  res.sendFile(file, (error) => {
    if (error) next(new AppError('internal_error', 500, `The dashboard file ${path.basename(file)} is missing on the server (${path.dirname(file)}); rebuild keywatch (npm run build).`));
  });
}

/** Revalidate on every load (ETag): an upgraded keywatch never runs yesterday's dashboard. */
const noCache: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-cache');
  next();
};

export function dashboardRouter(auth: RequestHandler[]): Router {
  const router = Router();
  router.get('/', ...auth, (_req, res) => res.redirect(302, '/ui/'));

  const ui = Router();
  ui.use(...auth);
  ui.use(helmet.contentSecurityPolicy({ useDefaults: false, directives: DASHBOARD_CSP_DIRECTIVES }));
  ui.use(noCache);
  ui.get('/vendor/chart.umd.min.js', (_req, res, next) => sendOwnFile(res, next, CHART_JS_FILE));
  const files = express.static(UI_DIR, { index: false, dotfiles: 'ignore', redirect: false, fallthrough: true });
  ui.use((req, res, next) => (SERVED_EXTENSIONS.has(path.extname(req.path)) ? files(req, res, next) : next()));
  ui.get('/{*page}', (req, res, next) => {
    // `/ui` → `/ui/`, so that the page's relative world (and the basic-auth protection space) is /ui/.
    if (req.originalUrl === '/ui' || req.originalUrl.startsWith('/ui?')) return res.redirect(301, `/ui/${req.originalUrl.slice(3)}`);
    if (path.extname(req.path) !== '') return next(); // a file that does not exist: 404
    sendOwnFile(res, next, path.join(UI_DIR, 'index.html'));
  });
  router.use('/ui', ui);
  return router;
}
