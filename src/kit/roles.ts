// The platform's roles and their home ports (the service contract's), its traffic tracks and the
// checklist's sign-off roles: the one list of each that every part (gateway pools, the CLI, checks,
// backups, settings, the deploy engine) uses. A leaf: it imports nothing, so even the pure deploy
// engine may import it.

export const SERVICE_NAMES = ['video', 'document', 'ai', 'media', 'code'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Every role a process or an image can have: the five services and the gateway. */
export const PLATFORM_ROLES = [...SERVICE_NAMES, 'gateway'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/**
 * The end of a role's V8 code cache, written beside its bundle by a process that runs it
 * (src/cli/bundle-loader.ts): made from a release's files, never part of one (not copied, not in
 * its checksum).
 */
export const CODE_CACHE_SUFFIX = '.v8cache';

/** The gateway's home port (80/443 sit in front of it in production). */
export const GATEWAY_PORT = 8080;

/** Where each service listens when run standalone. */
export const SERVICE_HOME_PORTS: Record<ServiceName, number> = { video: 8081, document: 8082, ai: 8083, media: 8084, code: 8085 };

/** Traffic tracks an instance belongs to: the deployment strategies' vocabulary. */
export const TRACKS = ['stable', 'canary', 'blue', 'green'] as const;
export type Track = (typeof TRACKS)[number];

/**
 * `pitchey worker` processes one release of a service may run (`pitchey up --workers`, a deployment's
 * workers): each runs the service's jobs at its jobConcurrency setting.
 */
export const MAX_WORKERS_PER_SERVICE = 16;

/** The log line (`msg`) a worker writes, whatever the log level, once its job runner has started: drivers that read logs wait for it. */
export const WORKER_STARTED = 'worker started';

/** How a deployment moves traffic (the deploy engine's plans; the CLI's `--strategy` values). */
export const STRATEGIES = ['canary', 'blue-green', 'rolling'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** The checklist's six sign-off roles (§17), each with its title. */
export const SIGNOFF_ROLES = {
  'lead-developer': 'Lead Developer',
  'devops-engineer': 'DevOps Engineer',
  'security-engineer': 'Security Engineer',
  'qa-lead': 'QA Lead',
  'product-manager': 'Product Manager',
  'engineering-manager': 'Engineering Manager',
} as const;
export type SignoffRole = keyof typeof SIGNOFF_ROLES;

export function isSignoffRole(value: string): value is SignoffRole {
  return Object.hasOwn(SIGNOFF_ROLES, value);
}
