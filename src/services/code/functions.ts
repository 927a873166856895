// Deployed functions: named, versioned snippets in SQLite under the service's data dir. Every
// deploy adds a version and makes it current; rollback makes the previous one current again.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SERVICE_PATHS, type CodeLimits } from '../../kit/index.js';
import type { FunctionSummary, FunctionVersion } from './answers.js';
import type { Language } from './languages.js';

interface Row {
  name: string;
  version: number;
  language: Language;
  code: string;
  setup: string;
  environment: string;
  limits: string;
  deployed_at: string;
}

const toVersion = (r: Row): FunctionVersion => ({ ...r, limits: JSON.parse(r.limits) as Partial<CodeLimits> });

export class FunctionStore {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, SERVICE_PATHS.functionsDb));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS function_versions (name TEXT NOT NULL, version INTEGER NOT NULL, language TEXT NOT NULL, code TEXT NOT NULL,
        setup TEXT NOT NULL, environment TEXT NOT NULL, limits TEXT NOT NULL, deployed_at TEXT NOT NULL, PRIMARY KEY (name, version));
      CREATE TABLE IF NOT EXISTS function_current (name TEXT PRIMARY KEY, version INTEGER NOT NULL);`);
  }

  deploy(v: Omit<FunctionVersion, 'version' | 'deployed_at'>): FunctionVersion {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(version) AS v FROM function_versions WHERE name = ?').get(v.name) as { v: number | null };
      const version = (last.v ?? 0) + 1;
      const deployed_at = new Date().toISOString();
      this.db.prepare('INSERT INTO function_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(v.name, version, v.language, v.code, v.setup, v.environment, JSON.stringify(v.limits), deployed_at);
      this.db.prepare('INSERT INTO function_current (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version').run(v.name, version);
      return { ...v, version, deployed_at };
    })();
  }

  current(name: string): FunctionVersion | null {
    const row = this.db.prepare('SELECT f.* FROM function_versions f JOIN function_current c ON c.name = f.name AND c.version = f.version WHERE f.name = ?').get(name) as Row | undefined;
    return row ? toVersion(row) : null;
  }

  versions(name: string): number[] {
    return (this.db.prepare('SELECT version FROM function_versions WHERE name = ? ORDER BY version').all(name) as Array<{ version: number }>).map((r) => r.version);
  }

  list(): FunctionSummary[] {
    const rows = this.db.prepare('SELECT f.* FROM function_versions f JOIN function_current c ON c.name = f.name AND c.version = f.version ORDER BY f.name').all() as Row[];
    return rows.map((r) => ({ name: r.name, language: r.language, current_version: r.version, versions: this.versions(r.name), environment: r.environment, deployed_at: r.deployed_at }));
  }

  /** Makes `to` (default: the version before the current one) current; null when there is none. */
  rollback(name: string, to?: number): FunctionVersion | null {
    return this.db.transaction(() => {
      const cur = this.current(name);
      if (cur === null) return null;
      const target = to ?? (this.db.prepare('SELECT MAX(version) AS v FROM function_versions WHERE name = ? AND version < ?').get(name, cur.version) as { v: number | null }).v;
      if (target === null || target === undefined || !this.versions(name).includes(target)) return null;
      this.db.prepare('UPDATE function_current SET version = ? WHERE name = ?').run(target, name);
      return this.current(name);
    })();
  }

  delete(name: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM function_current WHERE name = ?').run(name);
      return this.db.prepare('DELETE FROM function_versions WHERE name = ?').run(name).changes > 0;
    })();
  }

  close(): void {
    this.db.close();
  }
}
