// Deployment settings: the controller's environment and analysis, sign-offs, validation phases, and the instance's track.
import { SIGNOFF_ROLES, TRACKS } from '../roles.js';
import { bool, integer, oneOf, path, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

const SIGNOFF_ROLE_NAMES: readonly string[] = Object.keys(SIGNOFF_ROLES);

function deployEnv(raw: unknown): string {
  const v = text(raw);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(v)) throw new SettingError('must be a short lower-case name');
  return v;
}

/** `none`, or a comma list of the checklist's roles. */
function signoffs(raw: unknown): string[] {
  const v = text(raw);
  if (v === 'none') return [];
  const roles = v
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = roles.find((r) => !SIGNOFF_ROLE_NAMES.includes(r));
  if (bad !== undefined) throw new SettingError(`unknown role "${bad}"`);
  return roles;
}

function validationPhases(raw: unknown): [number, number, number] {
  const parts = text(raw)
    .split(',')
    .map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1_000)) throw new SettingError('must be three durations in ms (each ≥ 1000), e.g. 900000,2700000,82800000');
  return parts as [number, number, number];
}

export const DEPLOY_SETTINGS = [
  setting({
    key: 'deployEnv',
    env: 'PITCHEY_DEPLOY_ENV',
    area: 'deploy',
    doc: "the environment this platform's controller deploys to (locks and history are per environment)",
    fallback: () => 'local',
    parse: deployEnv,
  }),
  /** null: ./pitchey.environments.json when it exists (src/deploy/environments.ts reads it). */
  setting({
    key: 'environmentsFile',
    env: 'PITCHEY_ENVIRONMENTS_FILE',
    area: 'deploy',
    doc: "the environments file: each environment's gateway and credentials, the promotion chain, the drift allow-list (see Environments and promotion)",
    shown: '`./pitchey.environments.json` when it exists',
    fallback: () => null,
    parse: path,
  }),
  // Typed `string`, not `Track`: what callers have always seen.
  setting({
    key: 'track',
    env: 'PITCHEY_TRACK',
    area: 'deploy',
    doc: `traffic track this instance belongs to (${TRACKS.join(', ')})`,
    fallback: () => 'stable',
    parse: (raw): string => oneOf(TRACKS)(raw),
  }),
  setting({
    key: 'analysisIntervalMs',
    env: 'PITCHEY_ANALYSIS_INTERVAL_MS',
    area: 'deploy',
    doc: 'how often the controller analyses a live deployment',
    fallback: () => 1_000,
    parse: integer(100, 600_000),
  }),
  setting({
    key: 'analysisWindowMs',
    env: 'PITCHEY_ANALYSIS_WINDOW_MS',
    area: 'deploy',
    doc: 'the window of traffic each analysis looks at (canary and stable side by side)',
    fallback: () => 30_000,
    parse: integer(1_000, 3_600_000),
  }),
  /** Sign-off roles a promotion waits for; null = the default for the environment. */
  setting({
    key: 'signoffs',
    env: 'PITCHEY_SIGNOFFS',
    area: 'deploy',
    doc: `sign-off roles a promotion waits for (comma list of ${SIGNOFF_ROLE_NAMES.join(', ')}, or \`none\`)`,
    shown: 'every role in `production`, none elsewhere',
    fallback: () => null,
    parse: signoffs,
  }),
  setting({ key: 'signoffTtlMs', env: 'PITCHEY_SIGNOFF_TTL_MS', area: 'deploy', doc: 'how long a sign-off stays valid', fallback: () => 86_400_000, parse: integer(60_000, 30 * 86_400_000) }),
  setting({
    key: 'signoffTimeoutMs',
    env: 'PITCHEY_SIGNOFF_TIMEOUT_MS',
    area: 'deploy',
    doc: 'how long a promotion waits for missing sign-offs before the deployment is rolled back',
    fallback: () => 14_400_000,
    parse: integer(1_000, 7 * 86_400_000),
  }),
  setting({
    key: 'signoffSharedRoles',
    env: 'PITCHEY_SIGNOFF_SHARED_ROLES',
    area: 'deploy',
    doc: 'whether one person may sign off for several roles of one deployment (a small team); by default each role needs its own person',
    fallback: () => false,
    parse: bool,
  }),
  setting({
    key: 'rollbackSignoffs',
    env: 'PITCHEY_ROLLBACK_SIGNOFFS',
    area: 'deploy',
    doc: '`none`: a rollback to the previous version, or to one promoted and validated here within `PITCHEY_ROLLBACK_MAX_AGE_MS`, needs no forward sign-offs; `required`: every rollback waits for them',
    fallback: (): 'none' | 'required' => 'none',
    parse: (raw): 'none' | 'required' => oneOf(['none', 'required'] as const)(raw),
  }),
  setting({
    key: 'rollbackMaxAgeMs',
    env: 'PITCHEY_ROLLBACK_MAX_AGE_MS',
    area: 'deploy',
    doc: 'how recently a version must have been promoted and validated here to be rolled back to without sign-offs',
    fallback: () => 30 * 86_400_000,
    parse: integer(60_000, 365 * 86_400_000),
  }),
  setting({
    key: 'validationPhasesMs',
    env: 'PITCHEY_VALIDATION_PHASES_MS',
    area: 'deploy',
    doc: 'post-deployment validation phases (immediate 0–15 min, extended 15–60 min, final to 24 h): error rate < 1 %, p95 < 2 s; a breach in the immediate phase rolls back to the previous version',
    fallback: (): [number, number, number] => [900_000, 2_700_000, 82_800_000],
    parse: validationPhases,
  }),
];
