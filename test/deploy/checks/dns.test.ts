// DNS through the system resolver: localhost resolves to loopback; an address nobody expects fails.
import { describe, expect, it } from 'vitest';
import { assessAddresses, checkDns } from '../../../src/deploy/checks/dns.js';

const now = new Date('2025-03-04T10:00:00Z');

describe('dns', () => {
  it('passes localhost resolving only to loopback addresses', async () => {
    const [e] = await checkDns([{ name: 'localhost', addresses: ['127.0.0.1', '::1'], match: 'subset' }], { timeoutMs: 5000, now });
    expect(e?.status, e?.observed).toBe('pass');
    expect(e?.observed).toMatch(/^localhost → /);
  });
  it('fails when the name resolves to an address that is not expected', async () => {
    const [e] = await checkDns([{ name: 'localhost', addresses: ['10.255.0.1'], match: 'equal' }], { timeoutMs: 5000, now });
    expect(e?.status).toBe('fail');
    expect(e?.observed).toMatch(/unexpected .*(127\.0\.0\.1|::1).*; missing 10\.255\.0\.1/);
  });
  it('fails a name that does not resolve, and one that takes too long', async () => {
    const [missing] = await checkDns([{ name: 'nothing.invalid', addresses: ['10.0.0.1'], match: 'equal' }], { timeoutMs: 5000, now });
    expect(missing?.status).toBe('fail');
    const slow = () => new Promise<string[]>(() => undefined);
    const [late] = await checkDns([{ name: 'slow.example', addresses: ['10.0.0.1'], match: 'equal' }], { timeoutMs: 100, now, resolve: slow });
    expect(late?.observed).toBe('error: lookup slow.example: no answer within 100 ms');
  });
  it('compares address sets three ways', () => {
    expect(assessAddresses(['a', 'b'], ['a', 'b'], 'equal').ok).toBe(true);
    expect(assessAddresses(['a'], ['a', 'b'], 'equal').ok).toBe(false);
    expect(assessAddresses(['a'], ['a', 'b'], 'subset').ok).toBe(true);
    expect(assessAddresses(['a', 'c'], ['a', 'b'], 'subset').ok).toBe(false);
    expect(assessAddresses(['a', 'c'], ['a'], 'includes').ok).toBe(true);
    expect(assessAddresses([], [], 'subset').ok).toBe(false);
  });
  it('warns when no names are configured', async () => {
    expect((await checkDns([], { timeoutMs: 100, now }))[0]?.status).toBe('warn');
  });
});
