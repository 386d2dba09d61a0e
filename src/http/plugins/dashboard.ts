/**
 * The web dashboard at `/dashboard`: the static files Vite builds into `dashboard/dist`
 * (`npm run build:dashboard`, run by `npm install`'s prepare step), served by longrun itself.
 *
 * The pages are public and hold no data: the browser calls the API with the key the user
 * pastes, so every answer is still checked by the auth plugin. Without a build, `/dashboard`
 * answers 503 in the content envelope instead of failing at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';

export const DASHBOARD_PREFIX = '/dashboard';

const DEFAULT_DIST = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

/**
 * The page talks to this origin only and runs no inline code: a stolen key is the worst an
 * injected script could do with a dashboard, so none may run.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

export async function dashboardPlugin(app: FastifyInstance, opts: { distDir?: string } = {}) {
  const root = opts.distDir ?? DEFAULT_DIST;

  if (!fs.existsSync(path.join(root, 'index.html'))) {
    const missing = async () => {
      throw new AppError('service_unavailable', 'The dashboard is not built; run npm run build:dashboard (npm install does it too), then restart longrun.');
    };
    app.get(DASHBOARD_PREFIX, { schema: { hide: true } }, missing);
    app.get(`${DASHBOARD_PREFIX}/*`, { schema: { hide: true } }, missing);
    return;
  }

  // Registered without fastify-plugin, so this hook sees the dashboard's routes only.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  await app.register(fastifyStatic, {
    root,
    prefix: `${DASHBOARD_PREFIX}/`,
    // `/dashboard` → `/dashboard/`, so the hash routes hang off one URL.
    redirect: true,
    // One route per built file, listed at start: a missing file then matches no route and gets
    // the ordinary 404 (a wildcard route would make the errors plugin call it a 405). A rebuild
    // is picked up at the next start.
    wildcard: false,
    // Other plugins (Swagger UI) may use @fastify/static too; this one adds nothing to replies.
    decorateReply: false,
    cacheControl: false,
    setHeaders(res, file) {
      // Vite names assets by their content hash, so they never change; the page itself may.
      const immutable = file.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
