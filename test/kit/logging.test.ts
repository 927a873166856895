import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLoggerOptions } from '../../src/kit/logging.js';

describe('logging', () => {
  it('writes JSON with credentials redacted wherever they appear', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino(createLoggerOptions('info', { service: 'video' }), sink);
    log.info({ req: { headers: { authorization: 'Bearer eyJ.secret.sig', 'x-api-key': 'key-1234567890abcdef', cookie: 'sid=1' } }, config: { jwtSecret: 'hush-hush', apiKeys: ['k1'] } }, 'hello');
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ msg: 'hello', service: 'video', level: 30 });
    const text = lines.join('');
    for (const secret of ['eyJ.secret.sig', 'key-1234567890abcdef', 'sid=1', 'hush-hush', 'k1']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
