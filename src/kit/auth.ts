// Who is calling: an API key in `X-API-Key` or as a bearer token (compared in constant time), or an
// HS256 `Bearer` JWT with the algorithm pinned and expiry required. Answers with a Principal or throws a 401/403 Problem.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from './config.js';
import { Problem } from './problems.js';
import { isSignoffRole } from './roles.js';

// jose is loaded by the first bearer token (~0.1 s of CPU at every start of every process
// otherwise), once: later checks reuse the promise instead of a dynamic import each.
let jose: Promise<typeof import('jose')> | null = null;
const loadJose = (): Promise<typeof import('jose')> => (jose ??= import('jose'));

export interface Principal {
  /** Stable, non-secret id: `key:<sha256 prefix>` or `jwt:<sub>`; safe to log and to rate-limit by. */
  id: string;
  scopes: string[];
  via: 'api-key' | 'jwt';
  /** The person behind the credential (the key's holder, the token's `sub`); null for a machine's key. */
  person: string | null;
}

export interface AuthHeaders {
  'x-api-key'?: string | string[] | undefined;
  authorization?: string | undefined;
}

/** `scope` null only identifies the caller (the gateway's rate limits); a scope also authorizes. */
export type Authenticator = (headers: AuthHeaders, scope: string | null) => Promise<Principal>;

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function keyId(key: string): string {
  return `key:${digest(key).toString('hex').slice(0, 12)}`;
}

/** The scope of operators: they may act on any client's resources (jobs included). */
export const ADMIN_SCOPE = 'admin';

/** The scope of a sign-off: admin, or any of the checklist's sign-off roles held by name. */
export const SIGNOFF_SCOPE = 'signoff';

/** The scope of the next environment's controller: read a version's record summary and the effective config (admin may too). */
export const EVIDENCE_SCOPE = 'evidence';

/** Any valid credential, whatever its scopes: read-only views of the platform (the web dashboard's data). */
export const ANY_CREDENTIAL = 'authenticated';

function hasScope(scopes: string[], needed: string): boolean {
  if (needed === ANY_CREDENTIAL) return true;
  if (needed === EVIDENCE_SCOPE) return hasScope(scopes, ADMIN_SCOPE) || scopes.includes(EVIDENCE_SCOPE);
  if (needed === SIGNOFF_SCOPE) return hasScope(scopes, ADMIN_SCOPE) || scopes.some(isSignoffRole);
  return scopes.includes('*') || scopes.includes(needed);
}

/**
 * Whether the credential's person may sign off as `role`: only a role named in the key's scopes or
 * the token's claims counts. `*` and `admin` do not: they say what a key may do, not who holds it.
 */
export function holdsRole(principal: Principal, role: string): boolean {
  return principal.person !== null && isSignoffRole(role) && principal.scopes.includes(role);
}

export function isAdmin(principal: Principal): boolean {
  return hasScope(principal.scopes, ADMIN_SCOPE);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** `scopes` (array) or `scope` (space-separated, RFC 8693), plus sign-off `roles`. */
function scopesFromClaims(payload: Record<string, unknown>): string[] {
  const scopes = Array.isArray(payload.scopes) ? strings(payload.scopes) : typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  return [...scopes, ...strings(payload.roles).filter(isSignoffRole)];
}

/** Builds the authenticator for a set of keys and an optional JWT secret. */
export function createAuthenticator(options: { apiKeys: ApiKey[]; jwtSecret: string | null }): Authenticator {
  // Hash once so every comparison is over equal-length buffers, and walk every key so the time
  // taken does not depend on which key (if any) matched.
  const keys = options.apiKeys.map((k) => ({ hash: digest(k.key), id: keyId(k.key), scopes: k.scopes, person: k.holder ?? null }));
  const secret = options.jwtSecret === null ? null : new TextEncoder().encode(options.jwtSecret);

  function byKey(presented: string): Principal {
    const hash = digest(presented);
    let found: (typeof keys)[number] | undefined;
    for (const k of keys) if (timingSafeEqual(k.hash, hash)) found = k;
    if (found === undefined) throw new Problem('AUTH_INVALID', 'The API key is not recognised.');
    return { id: found.id, scopes: found.scopes, via: 'api-key', person: found.person };
  }

  async function byJwt(token: string): Promise<Principal> {
    if (secret === null) throw new Problem('AUTH_INVALID', 'Bearer tokens are not enabled on this service.');
    const { errors: joseErrors, jwtVerify } = await loadJose();
    try {
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] });
      return { id: `jwt:${payload.sub ?? 'anonymous'}`, scopes: scopesFromClaims(payload), via: 'jwt', person: payload.sub ?? null };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new Problem('AUTH_EXPIRED', 'The bearer token has expired.');
      throw new Problem('AUTH_INVALID', 'The bearer token is not valid (HS256 with an exp claim is required).');
    }
  }

  // An API key may come as a bearer token too, as OpenAI-style clients and Prometheus send theirs.
  async function byBearer(token: string): Promise<Principal> {
    return JWT_SHAPE.test(token) ? byJwt(token) : byKey(token);
  }

  return async (headers, scope) => {
    const apiKey = headers['x-api-key'];
    const authorization = headers.authorization;
    let principal: Principal;
    if (typeof apiKey === 'string' && apiKey !== '') principal = byKey(apiKey);
    else if (Array.isArray(apiKey)) throw new Problem('AUTH_INVALID', 'Send exactly one X-API-Key header.');
    else if (authorization !== undefined && /^bearer\s+/i.test(authorization)) principal = await byBearer(authorization.replace(/^bearer\s+/i, '').trim());
    else throw new Problem('AUTH_REQUIRED', 'Send an X-API-Key header or an Authorization: Bearer token.', { headers: { 'www-authenticate': 'Bearer, ApiKey' } });
    if (scope !== null && !hasScope(principal.scopes, scope)) throw new Problem('SCOPE_MISSING', `These credentials lack the "${scope}" scope.`);
    return principal;
  };
}
