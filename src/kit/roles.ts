// The platform's roles and their home ports (the service contract's): the one list every part
// (gateway pools, the CLI, checks, backups) iterates. A leaf: it imports nothing.

export const SERVICE_NAMES = ['video', 'document', 'ai', 'media', 'code'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The gateway's home port (80/443 sit in front of it in production). */
export const GATEWAY_PORT = 8080;

/** Where each service listens when run standalone. */
export const SERVICE_HOME_PORTS: Record<ServiceName, number> = { video: 8081, document: 8082, ai: 8083, media: 8084, code: 8085 };
