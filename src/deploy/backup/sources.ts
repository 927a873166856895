// What a backup holds: the platform's own state, part by part, found in a data dir. Stream
// segments, job work folders and uploads are not state worth restoring; manifests and stores are.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_PATHS, serviceRelPath } from '../../kit/light.js';
import { isSqlitePath } from './manifest.js';
import { walkTree } from './safe-fs.js';

export interface Source {
  path: string;
  sqlite: boolean;
}

interface Part {
  name: string;
  /** Data-dir-relative paths of this part's files; empty when the part is absent. */
  find: (dataDir: string) => string[];
}

export function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function filesUnder(dataDir: string, rel: string, keep: (path: string) => boolean = () => true): string[] {
  if (!isDir(join(dataDir, rel))) return [];
  return walkTree(dataDir, rel)
    .filter((e) => e.kind === 'file' && keep(e.path))
    .map((e) => e.path);
}

function subdirs(dataDir: string, rel: string): string[] {
  if (!isDir(join(dataDir, rel))) return [];
  return readdirSync(join(dataDir, rel), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

const single =
  (rel: string) =>
  (dataDir: string): string[] =>
    isFile(join(dataDir, rel)) ? [rel] : [];

export const PARTS: Part[] = [
  { name: 'controller-store', find: single(DATA_PATHS.controllerDb) },
  {
    name: 'job-stores',
    find: (d) =>
      subdirs(d, DATA_PATHS.services)
        .map((s) => serviceRelPath(s, 'jobsDb'))
        .filter((p) => isFile(join(d, p))),
  },
  { name: 'templates', find: (d) => filesUnder(d, serviceRelPath('document', 'templates')) },
  { name: 'functions', find: single(serviceRelPath('code', 'functionsDb')) },
  { name: 'classifiers', find: (d) => filesUnder(d, serviceRelPath('ai', 'classifiers')) },
  { name: 'ai-usage', find: single(serviceRelPath('ai', 'aiUsageDb')) },
  { name: 'stream-index', find: (d) => filesUnder(d, serviceRelPath('media', 'streamRecords'), (p) => p.endsWith('.json')) },
  { name: 'stream-playlists', find: (d) => filesUnder(d, serviceRelPath('media', 'streams'), (p) => /\.(m3u8|mpd)$/.test(p)) },
  {
    name: 'release-manifests',
    find: (d) =>
      subdirs(d, DATA_PATHS.releases)
        .filter((v) => !v.includes('.partial-'))
        .map((v) => `${DATA_PATHS.releases}/${v}/manifest.json`)
        .filter((p) => isFile(join(d, p))),
  },
  { name: 'checks', find: single(DATA_PATHS.checksConfig) },
];

/** Every file to back up, and the parts the data dir does not have. */
export function collectSources(dataDir: string): { sources: Source[]; absent: string[] } {
  const sources: Source[] = [];
  const absent: string[] = [];
  for (const part of PARTS) {
    const found = part.find(dataDir);
    if (found.length === 0) absent.push(part.name);
    sources.push(...found.map((path) => ({ path, sqlite: isSqlitePath(path) })));
  }
  return { sources: sources.sort((a, b) => a.path.localeCompare(b.path)), absent };
}
