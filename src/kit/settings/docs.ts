// The README's settings tables, rendered from the definitions: one table per area between the
// `settings:start` and `settings:end` markers. `npm run docs:settings` writes them; a test checks
// that README.md holds exactly what this renders.
import { CONFIG_FILE_ENV } from '../config.js';
import { SETTINGS } from './index.js';
import { AREAS, type Area, type SettingDef } from './setting.js';

export const SETTINGS_START = '<!-- settings:start -->';
export const SETTINGS_END = '<!-- settings:end -->';

/** `key` null: no file key (the config file's own variable). */
interface Row {
  env: string;
  key: string | null;
  shown: string;
  doc: string;
}

/** The config file itself is read before any setting, so it is a row of its own. */
const CONFIG_FILE_ROW: Row = { env: CONFIG_FILE_ENV, key: null, shown: 'unset', doc: 'a JSON file with any of these settings by their file key; the environment wins' };

/** A fallback shown as it is: a string, number or boolean, or a list of them. Anything else needs a `shown` text. */
function plain(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value !== '')) return String(value);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' || typeof v === 'string')) return value.join(',');
  return undefined;
}

/** The default column: `shown`, else the fallback's plain value (computed with no other setting given). */
export function defaultText(def: SettingDef): string {
  if (def.shown !== undefined) return def.shown;
  const text = plain(def.fallback({}));
  if (text === undefined) throw new Error(`${def.env}: its fallback is not a plain value; give the definition a \`shown\` text`);
  return text;
}

function cell(text: string, env: string): string {
  if (/[\r\n]/.test(text)) throw new Error(`${env}: a table cell cannot hold a line break`);
  return text.replaceAll('|', '\\|');
}

function table(rows: Row[]): string[] {
  return [
    '| variable | file key | default | meaning |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.env}\` | ${r.key === null ? '—' : `\`${r.key}\``} | ${cell(r.shown, r.env)} | ${cell(r.doc, r.env)} |`),
  ];
}

/** Every area's table, in AREAS order, each under a small heading; the config file's row ends the core table. */
export function renderSettingsTable(settings: readonly SettingDef[] = SETTINGS): string {
  const lines = [`<!-- Generated from src/kit/settings/ by \`npm run docs:settings\`: edit the definitions, not these tables. -->`];
  for (const [area, title] of Object.entries(AREAS) as [Area, string][]) {
    const rows: Row[] = settings.filter((s) => s.area === area).map((s) => ({ env: s.env, key: s.key, shown: defaultText(s), doc: s.doc }));
    if (area === 'core') rows.push(CONFIG_FILE_ROW);
    if (rows.length === 0) continue;
    lines.push('', `### ${title} settings`, '', ...table(rows));
  }
  return lines.join('\n');
}

function blockBounds(readme: string): [number, number] {
  const start = readme.indexOf(SETTINGS_START);
  const end = readme.indexOf(SETTINGS_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README.md needs the markers ${SETTINGS_START} and ${SETTINGS_END}, in that order`);
  return [start + SETTINGS_START.length, end];
}

/** What README.md holds between the markers, without the line breaks that frame it. */
export function readSettingsBlock(readme: string): string {
  const [from, to] = blockBounds(readme);
  return readme.slice(from, to).replace(/^\n+|\n+$/g, '');
}

/** README.md with `block` between the markers (the rest untouched); a blank line ends the last table. */
export function replaceSettingsBlock(readme: string, block: string): string {
  const [from, to] = blockBounds(readme);
  return `${readme.slice(0, from)}\n${block}\n\n${readme.slice(to)}`;
}
