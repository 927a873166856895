// Reads one JSON object of settings field by field: each bad value adds its own message (named by
// its path, e.g. `tls.files[1].path`) and falls back, so every problem is reported in one go.
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class Fields {
  constructor(readonly issues: string[], private readonly obj: JsonObject, private readonly at: string) {}

  private name(key: string): string { return this.at === '' ? key : `${this.at}.${key}`; }
  private bad(key: string, message: string): void { this.issues.push(`${this.name(key)}: ${message} (got ${JSON.stringify(this.obj[key])})`); }

  /** Flags keys the section does not know (a typo must not silently fall back to a default). */
  only(known: string[]): this {
    for (const key of Object.keys(this.obj)) if (!known.includes(key)) this.issues.push(`${this.name(key)}: unknown setting`);
    return this;
  }

  number(key: string, fallback: number, min: number, max: number): number {
    const v = this.obj[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) { this.bad(key, `must be a number from ${min} to ${max}`); return fallback; }
    return v;
  }

  text(key: string): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v.trim() === '') { this.bad(key, 'must be a non-empty string'); return null; }
    return v.trim();
  }

  required(key: string): string {
    const v = this.text(key);
    if (v === null && this.obj[key] === undefined) this.issues.push(`${this.name(key)}: is required`);
    return v ?? '';
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const v = this.obj[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) { this.bad(key, `must be one of ${values.join(', ')}`); return fallback; }
    return v as T;
  }

  texts(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.trim() !== '')) { this.bad(key, 'must be a list of non-empty strings'); return []; }
    return v.map((s: string) => s.trim());
  }

  /** A list that must name at least one string. */
  someTexts(key: string): string[] {
    if (this.obj[key] === undefined) { this.issues.push(`${this.name(key)}: is required`); return []; }
    const v = this.texts(key);
    if (Array.isArray(this.obj[key]) && (this.obj[key] as unknown[]).length === 0) this.bad(key, 'must list at least one');
    return v;
  }

  section(key: string): Fields {
    const v = this.obj[key];
    if (v !== undefined && !isObject(v)) this.bad(key, 'must be an object');
    return new Fields(this.issues, isObject(v) ? v : {}, this.name(key));
  }

  /** Each element of a list of objects, read by `read`; non-objects are reported and skipped. */
  list<T>(key: string, read: (item: Fields) => T): T[] {
    const v = this.obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) { this.bad(key, 'must be a list'); return []; }
    const out: T[] = [];
    v.forEach((item: unknown, i) => {
      const at = `${this.name(key)}[${i}]`;
      if (!isObject(item)) this.issues.push(`${at}: must be an object`);
      else out.push(read(new Fields(this.issues, item, at)));
    });
    return out;
  }

  has(key: string): boolean { return this.obj[key] !== undefined; }
}
