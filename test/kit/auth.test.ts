import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { Problem, SIGNOFF_SCOPE, createAuthenticator, holdsRole } from '../../src/kit/index.js';
import { parseApiKeys } from '../../src/kit/settings/index.js';

const secret = 'jwt-secret-for-tests-0123456789abcdef';
const auth = createAuthenticator({
  apiKeys: [{ key: 'k'.repeat(20), scopes: ['*'] }, { key: 'v'.repeat(20), scopes: ['video'] }, ...parseApiKeys(`${'b'.repeat(20)}:qa-lead@bob,${'c'.repeat(20)}:admin+devops-engineer+qa-lead@carol`)],
  jwtSecret: secret,
});
const enc = new TextEncoder().encode(secret);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(Problem);
    return (err as Problem).code;
  }
}

function jwt(claims: Record<string, unknown>, alg = 'HS256', exp: string | number | null = '5m'): Promise<string> {
  const t = new SignJWT(claims).setProtectedHeader({ alg }).setSubject('alice').setIssuedAt();
  if (exp !== null) t.setExpirationTime(exp);
  return t.sign(enc);
}

describe('authentication', () => {
  it('answers 401 AUTH_REQUIRED with no credentials', async () => {
    expect(await codeOf(auth({}, 'video'))).toBe('AUTH_REQUIRED');
  });
  it('refuses a wrong key', async () => {
    expect(await codeOf(auth({ 'x-api-key': 'x'.repeat(20) }, 'video'))).toBe('AUTH_INVALID');
    expect(await codeOf(auth({ 'x-api-key': 'k'.repeat(19) }, 'video'))).toBe('AUTH_INVALID');
  });
  it('only identifies the caller when asked for no scope, still refusing credentials that do not verify', async () => {
    expect((await auth({ 'x-api-key': 'v'.repeat(20) }, null)).scopes).toEqual(['video']);
    expect(await codeOf(auth({ 'x-api-key': 'v'.repeat(20) }, 'ai'))).toBe('SCOPE_MISSING');
    expect(await codeOf(auth({ 'x-api-key': 'x'.repeat(20) }, null))).toBe('AUTH_INVALID');
  });
  it('accepts a right key and reports a non-secret id', async () => {
    const p = await auth({ 'x-api-key': 'k'.repeat(20) }, 'video');
    expect(p.via).toBe('api-key');
    expect(p.id).toMatch(/^key:[0-9a-f]{12}$/);
    expect(p.id).not.toContain('kkkk');
  });
  it('answers 403 SCOPE_MISSING for a key without the scope', async () => {
    expect(await codeOf(auth({ 'x-api-key': 'v'.repeat(20) }, 'video'))).toBe('ok');
    expect(await codeOf(auth({ 'x-api-key': 'v'.repeat(20) }, 'code'))).toBe('SCOPE_MISSING');
  });
  it('accepts a valid HS256 token and reads its scopes', async () => {
    const p = await auth({ authorization: `Bearer ${await jwt({ scope: 'video ai' })}` }, 'ai');
    expect(p).toMatchObject({ id: 'jwt:alice', via: 'jwt', scopes: ['video', 'ai'] });
    expect(await codeOf(auth({ authorization: `Bearer ${await jwt({ scopes: ['video'] })}` }, 'code'))).toBe('SCOPE_MISSING');
  });
  it('refuses an expired token with AUTH_EXPIRED', async () => {
    const expired = await jwt({ scope: '*' }, 'HS256', Math.floor(Date.now() / 1000) - 60);
    expect(await codeOf(auth({ authorization: `Bearer ${expired}` }, 'video'))).toBe('AUTH_EXPIRED');
  });
  it('refuses another algorithm, an unsigned token and a token without exp', async () => {
    expect(await codeOf(auth({ authorization: `Bearer ${await jwt({ scope: '*' }, 'HS512')}` }, 'video'))).toBe('AUTH_INVALID');
    const [h, b] = (await jwt({ scope: '*' })).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${b}.`;
    // The forged token differs from a valid one only in its header's alg.
    expect(JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8'))).toMatchObject({ alg: 'HS256' });
    expect(await codeOf(auth({ authorization: `Bearer ${none}` }, 'video'))).toBe('AUTH_INVALID');
    expect(await codeOf(auth({ authorization: `Bearer ${await jwt({ scope: '*' }, 'HS256', null)}` }, 'video'))).toBe('AUTH_INVALID');
  });
  it('refuses a token signed with another secret', async () => {
    const other = await new SignJWT({ scope: '*' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-0123456789abcdefgh'));
    expect(await codeOf(auth({ authorization: `Bearer ${other}` }, 'video'))).toBe('AUTH_INVALID');
  });
  it('names the person behind a key with a holder or a token with a subject, and no one behind a machine key', async () => {
    expect(await auth({ 'x-api-key': 'b'.repeat(20) }, SIGNOFF_SCOPE)).toMatchObject({ person: 'bob', scopes: ['qa-lead'] });
    expect((await auth({ 'x-api-key': 'k'.repeat(20) }, null)).person).toBeNull();
    expect((await auth({ authorization: `Bearer ${await jwt({ roles: ['qa-lead', 'janitor'] })}` }, SIGNOFF_SCOPE)).person).toBe('alice');
  });
  it('lets a sign-off role, or admin, through the sign-off scope, and no other scope', async () => {
    expect(await codeOf(auth({ 'x-api-key': 'v'.repeat(20) }, SIGNOFF_SCOPE))).toBe('SCOPE_MISSING');
    expect(await codeOf(auth({ 'x-api-key': 'b'.repeat(20) }, 'admin'))).toBe('SCOPE_MISSING');
    expect(await codeOf(auth({ 'x-api-key': 'k'.repeat(20) }, SIGNOFF_SCOPE))).toBe('ok');
  });
  it('holds a role only when it is named: a wildcard key holds none, a token holds its roles claim', async () => {
    const carol = await auth({ 'x-api-key': 'c'.repeat(20) }, null);
    expect(['qa-lead', 'devops-engineer', 'security-engineer'].map((r) => holdsRole(carol, r))).toEqual([true, true, false]);
    expect(holdsRole(await auth({ 'x-api-key': 'k'.repeat(20) }, null), 'qa-lead')).toBe(false);
    const token = await auth({ authorization: `Bearer ${await jwt({ roles: ['qa-lead', 'janitor'] })}` }, null);
    expect([holdsRole(token, 'qa-lead'), token.scopes.includes('janitor')]).toEqual([true, false]);
  });
  it('refuses a holder that is not a plain name', () => {
    expect(() => parseApiKeys(`${'b'.repeat(20)}:qa-lead@bob smith`)).toThrow(/invalid holder/);
  });
});
