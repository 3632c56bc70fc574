/** HTTP basic auth (express-basic-auth compares in constant time) on everything but health and ready. */
import basicAuth from 'express-basic-auth';
import type { RequestHandler } from 'express';

export const UNAUTHORIZED_BODY = {
  error: {
    code: 'unauthorized',
    message: 'Authentication required: HTTP basic auth with KEYWATCH_API_USER and KEYWATCH_API_PASSWORD',
  },
};

export function basicAuthMiddleware(user: string, password: string): RequestHandler {
  return basicAuth({
    authorizer: (u: string, p: string) => {
      // Evaluate both comparisons (bitwise &): never short-circuit on the user name.
      const ok = Number(basicAuth.safeCompare(u, user)) & Number(basicAuth.safeCompare(p, password));
      return ok === 1;
    },
    challenge: true,
    realm: 'keywatch',
    unauthorizedResponse: () => UNAUTHORIZED_BODY,
  });
}
