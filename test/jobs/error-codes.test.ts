// The job layer sits below the kit and cannot import its problem catalogue, so this test closes
// the vocabulary instead: every code a job can be failed or stopped with reaches clients through
// `/status/{id}`, and each must be one of the catalogue's (documented in the README's table).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STOP_ERRORS } from '../../src/jobs/job-execution.js';
import { PROBLEMS } from '../../src/kit/index.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('job error codes', () => {
  it('stop reasons use catalogue codes', () => {
    for (const [code] of Object.values(STOP_ERRORS)) expect(Object.keys(PROBLEMS), code).toContain(code);
  });

  it('every JobError and recorded failure code under src/ is in the catalogue', () => {
    const found = new Set<string>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new JobError\(\s*'([A-Z_]+)'/g)) found.add(m[1] as string);
      if (file.includes('/jobs/')) for (const m of text.matchAll(/code: '([A-Z_]+)'/g)) found.add(m[1] as string);
    }
    expect(found.size).toBeGreaterThan(5);
    expect([...found].filter((code) => !(code in PROBLEMS))).toEqual([]);
  });
});
