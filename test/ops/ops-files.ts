// Reading ops/ files as their tools do: YAML through PyYAML (the parser docker-compose itself runs
// on, installed with it), so no YAML library is added to the project for tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const OPS = fileURLToPath(new URL('../../ops', import.meta.url));

export function parseYaml(text: string): unknown {
  const r = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`not YAML: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

export function readYaml(path: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'));
}

/** What `promtool check metrics` finds in an exposition: '' when it is clean (nothing printed, exit 0). */
export function lintMetrics(exposition: string): string {
  const r = run('promtool', ['check', 'metrics'], { input: exposition });
  return r.status === 0 ? r.out.trim() : `exit ${String(r.status)}: ${r.out.trim()}`;
}

/** Runs a tool to completion: its exit status and everything it printed. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): { status: number | null; out: string; stdout: string } {
  const r = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`, stdout: r.stdout };
}
