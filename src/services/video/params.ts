// Form fields (or query parameters) of the video routes, parsed into typed options. Every bad
// value is a 400 that names the field and what it accepts.
import { invalidField, type Problem } from '../../kit/index.js';

export type Fields = Record<string, string>;
export const OUTPUT_FORMATS = ['mp4', 'webm', 'mov', 'avi'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const QUALITIES = ['low', 'medium', 'high', 'ultra'] as const;
export type Quality = (typeof QUALITIES)[number];
export const COMPRESSION_LEVELS = { light: 0.8, medium: 0.6, heavy: 0.4, extreme: 0.2 } as const;
export type CompressionLevel = keyof typeof COMPRESSION_LEVELS;
export const OPERATIONS = ['transcode', 'compress', 'analyze'] as const;
export type Operation = (typeof OPERATIONS)[number];
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

const MAX_SIDE = 7680;

const invalid = (field: string, what: string): Problem => invalidField(`body/${field}`, what);

/** Form fields win over query parameters of the same name; empty values count as absent. */
export function mergeFields(form: Fields, query: unknown): Fields {
  const merged: Fields = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) if (typeof v === 'string' && v.trim() !== '') merged[k] = v.trim();
  for (const [k, v] of Object.entries(form)) if (v.trim() !== '') merged[k] = v.trim();
  return merged;
}

export function oneOf<T extends string>(fields: Fields, field: string, values: readonly T[], fallback: T): T {
  const raw = fields[field]?.toLowerCase();
  if (raw === undefined) return fallback;
  if (field === 'format' || field === 'image_format') {
    const alias = raw.replace(/^\./, '') === 'jpg' ? 'jpeg' : raw.replace(/^\./, '');
    if ((values as readonly string[]).includes(alias)) return alias as T;
  }
  if (!(values as readonly string[]).includes(raw)) throw invalid(field, `must be one of ${values.join(', ')}`);
  return raw as T;
}

/** Seconds as `12.5` or `[hh:]mm:ss[.fff]`. */
export function parseTimestamp(fields: Fields, field = 'timestamp'): number | null {
  const raw = fields[field];
  if (raw === undefined) return null;
  let seconds: number;
  if (/^\d{1,7}(\.\d{1,6})?$/.test(raw)) seconds = Number(raw);
  else {
    const m = /^(?:(\d{1,4}):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,6})?)$/.exec(raw);
    if (m === null) throw invalid(field, 'must be seconds (e.g. 5.0) or hh:mm:ss[.fff]');
    seconds = Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  }
  return seconds;
}

export function parseSide(fields: Fields, field: string): number | null {
  const raw = fields[field];
  if (raw === undefined) return null;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 16 || Number(raw) > MAX_SIDE) throw invalid(field, `must be a whole number of pixels from 16 to ${MAX_SIDE}`);
  return Number(raw);
}

/** `1280x720` (a box to fit in), or a named size like `720p`/`720`: the short side (width null), as the media ladder reads it. */
export function parseResolution(fields: Fields): { width: number | null; height: number } | null {
  const raw = fields.resolution?.toLowerCase();
  if (raw === undefined || raw === 'original' || raw === 'source') return null;
  const box = /^(\d{2,5})[x:](\d{2,5})$/.exec(raw);
  const height = /^(\d{2,4})p?$/.exec(raw);
  const w = box === null ? null : Number(box[1]);
  const h = box !== null ? Number(box[2]) : height !== null ? Number(height[1]) : NaN;
  const ok = Number.isInteger(h) && h >= 16 && h <= MAX_SIDE && (w === null || (w >= 16 && w <= MAX_SIDE));
  if (!ok) throw invalid('resolution', `must be WIDTHxHEIGHT (a box, e.g. 1280x720) or a named size (e.g. 720p, the short side), sides 16..${MAX_SIDE}`);
  return { width: w, height: h };
}

export function parsePositive(fields: Fields, field: string, max: number): number | null {
  const raw = fields[field];
  if (raw === undefined) return null;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0) || n > max) throw invalid(field, `must be a number above 0 and at most ${max}`);
  return n;
}

export function parseBoolean(fields: Fields, field: string): boolean {
  const raw = fields[field]?.toLowerCase();
  if (raw === undefined) return false;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw invalid(field, 'must be true or false');
}
