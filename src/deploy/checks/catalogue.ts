// The check ids every Evidence, waiver and table row names, with the checklist item each carries
// out: one catalogue, so a waiver for an unknown check is refused rather than ignored.
export const CHECKS = {
  'service-health': 'Production environment health check completed',
  'capacity-cpu': 'Resource capacity verified (CPU)',
  'capacity-memory': 'Resource capacity verified (memory)',
  'capacity-disk': 'Resource capacity verified (storage)',
  'tls-expiry': 'SSL certificates validated and not expiring within 30 days',
  dns: 'DNS records resolve as expected',
  backups: 'Latest backup completed, integrity verified, restore tested',
  vulnerabilities: 'Vulnerability scanning completed (zero critical vulnerabilities)',
  'config-env': 'Environment variables validated',
  'config-valid': 'Configuration files reviewed (the target configuration validates)',
  'config-secrets': 'Secret management verified (no default or weak secrets)',
  alerts: 'Monitoring and alerting operational, no critical alert firing',
  'deploy-in-progress': 'No deployment already in progress in the environment',
  'deploy-window': 'Deployment window open',
  'error-budget': 'Availability error budget (99.9 % over 30 days) not spent',
  'environment-drift': 'Staging environment matches production (no configuration drift)',
} as const;

export type CheckId = keyof typeof CHECKS;

export function isCheckId(value: unknown): value is CheckId {
  return typeof value === 'string' && Object.hasOwn(CHECKS, value);
}
