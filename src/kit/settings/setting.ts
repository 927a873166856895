// What one setting is: its key, variable, area, docs and parser, declared once. The `Config` type
// and the README's settings table are both derived from these definitions.

/** The README groups settings under "<title> settings" headings, in this order. */
export const AREAS = {
  core: 'Core',
  access: 'Access',
  gateway: 'Gateway',
  jobs: 'Job',
  media: 'Video and media',
  document: 'Document',
  ai: 'AI',
  code: 'Code executor',
  deploy: 'Deployment',
  containers: 'Container',
} as const;
export type Area = keyof typeof AREAS;

/**
 * The settings read so far, in table order. Deliberately loose: typing it as `Partial<Config>` would
 * make `Config` depend on itself, since it is derived from the fallbacks' types.
 */
export type EarlierSettings = Readonly<Record<string, unknown>>;

export interface SettingDef<K extends string = string, P = unknown, F = unknown> {
  /** The camelCase name: a `Config` field and the key in the JSON settings file. */
  key: K;
  env: string;
  area: Area;
  /** The README's "meaning" column (Markdown). */
  doc: string;
  /**
   * The README's "default" column when the fallback is not a plain value: `null`, an object, or one
   * that depends on the machine or the working directory (cores, temp dir, a resolved path), which
   * would make the README differ from machine to machine.
   */
  shown?: string;
  /** Never echoed in a message about a bad value. */
  secret?: boolean;
  parse: (raw: unknown) => P;
  /** The value when the setting is not given; `null` means "decided where it is used" (the doc says how). */
  fallback: (earlier: EarlierSettings) => F;
}

/**
 * Declares one setting. `P` is what the parser yields and `F` what the fallback yields: a `P` or
 * `null`, which the constraint checks and `Config` turns into `P | null`. TypeScript infers `F`
 * before it knows `P`, so a fallback that is a literal of a union or a tuple says so itself
 * (`'info' as const`, `(): [number, number] => […]`); without that the definition does not compile.
 */
export function setting<const K extends string, P, F extends P | null>(def: SettingDef<K, P, F>): SettingDef<K, P, F> {
  return def;
}
