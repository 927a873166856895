// The shared value parsers settings are built from. Each throws a SettingError whose message the
// loader prefixes with the variable (or file key) that held the bad value.
import { resolve } from 'node:path';

export class SettingError extends Error {}

export function text(raw: unknown): string {
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new SettingError('must be a string');
  return String(raw).trim();
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (raw: unknown): T => {
    const v = text(raw);
    if (!(values as readonly string[]).includes(v)) throw new SettingError(`must be one of ${values.join(', ')}`);
    return v as T;
  };
}

/** The one integer range rule; `name` says which value is wrong when a setting holds several. */
export function integer(min: number, max: number) {
  return (raw: unknown, name?: string): number => {
    const v = typeof raw === 'number' ? raw : Number(text(raw));
    if (!Number.isInteger(v) || v < min || v > max) throw new SettingError(`${name === undefined ? '' : `"${name}" `}must be an integer from ${min} to ${max}`);
    return v;
  };
}

export function bool(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const v = text(raw).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SettingError('must be true or false');
}

/** An http(s) or redis URL, without trailing slashes. */
export function httpUrl(raw: unknown): string {
  const v = text(raw);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new SettingError('is not a URL');
  }
  if (!['http:', 'https:', 'redis:', 'rediss:'].includes(url.protocol)) throw new SettingError('must be an http(s) or redis URL');
  return v.replace(/\/+$/, '');
}

/** `name=value,name2=value2` → entries; each value parsed by `value`. */
export function pairs<T>(value: (v: string, name: string) => T) {
  return (raw: unknown): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const entry of text(raw)
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const at = entry.lastIndexOf('=');
      const name = entry.slice(0, at).trim();
      if (at <= 0 || name === '') throw new SettingError(`"${entry}" must look like name=value`);
      out[name] = value(entry.slice(at + 1).trim(), name);
    }
    return out;
  };
}

/** `pairs`' input form of a record (`name=value,…`), for a default shown in the docs. */
export function pairsText(record: Readonly<Record<string, number | string>>): string {
  return Object.entries(record)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
}

/** A path, made absolute from the working directory. */
export function path(raw: unknown): string {
  return resolve(text(raw));
}
