// Tool probes are cached per process, but a probe that timed out (a cold ffmpeg in a fresh container
// on a loaded host) is no answer: the next call asks again, so a service does not stay unready.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { detectTool } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';

const tmp = makeTempDir('pitchey-tools-');
const path = process.env.PATH;
afterAll(() => {
  process.env.PATH = path;
  tmp.remove();
});

it('asks again after a probe timed out, and keeps an answer once it has one', async () => {
  const marker = join(tmp.dir, 'answered-once');
  // A stand-in sqlite3 that is slow the first time it is asked, as a cold start is.
  writeFileSync(join(tmp.dir, 'sqlite3'), `#!/bin/sh\nif [ ! -e ${marker} ]; then touch ${marker}; sleep 3; fi\necho "3.46.1 2024-08-13"\n`);
  chmodSync(join(tmp.dir, 'sqlite3'), 0o755);
  process.env.PATH = `${tmp.dir}:${path}`;
  expect((await detectTool('sqlite3', 500)).present).toBe(false);
  expect(existsSync(marker)).toBe(true);
  const second = await detectTool('sqlite3', 500);
  expect([second.present, second.version]).toEqual([true, '3.46.1']);
  expect(await detectTool('sqlite3', 1)).toEqual(second);
});
