// Every setting, by area, in the order they are read (a fallback may read an earlier one: liveHost
// reads host), and the `Config` type derived from them.
import { ACCESS_SETTINGS } from './access.js';
import { AI_SETTINGS } from './ai.js';
import { CODE_SETTINGS } from './code.js';
import { CONTAINERS_SETTINGS } from './containers.js';
import { CORE_SETTINGS } from './core.js';
import { DEPLOY_SETTINGS } from './deploy.js';
import { DOCUMENT_SETTINGS } from './document.js';
import { GATEWAY_SETTINGS } from './gateway.js';
import { JOBS_SETTINGS } from './jobs.js';
import { MEDIA_SETTINGS } from './media.js';
import { NOTIFY_SETTINGS } from './notify.js';

export const SETTINGS = [
  ...CORE_SETTINGS,
  ...ACCESS_SETTINGS,
  ...GATEWAY_SETTINGS,
  ...JOBS_SETTINGS,
  ...MEDIA_SETTINGS,
  ...DOCUMENT_SETTINGS,
  ...AI_SETTINGS,
  ...CODE_SETTINGS,
  ...DEPLOY_SETTINGS,
  ...NOTIFY_SETTINGS,
  ...CONTAINERS_SETTINGS,
] as const;

export type Setting = (typeof SETTINGS)[number];

/**
 * The validated settings, one field per definition: what its parser yields, and `null` when its
 * fallback may yield that (written out, not through an alias, so editors show `number | null`).
 */
export type Config = { [D in Setting as D['key']]: ReturnType<D['parse']> | Extract<ReturnType<D['fallback']>, null> };

export { AREAS, type Area, type SettingDef } from './setting.js';
export { SettingError } from './parsers.js';
export { parseFaults, type Faults, type LogLevel, type Mode } from './core.js';
export { parseApiKeys, type ApiKey } from './access.js';
export { parseUpstreams } from './gateway.js';
export type { AiTextRoute } from './ai.js';
export type { CodeLimits } from './code.js';
export { NOTIFY_EVENTS, parseReceivers, type NotifyEvent, type NotifyFormat, type NotifyReceiver } from './notify.js';
