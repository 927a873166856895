// Structured JSON logs (pino) with every credential-bearing field redacted before it is written.
import type { LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.apiKeys',
  '*.jwtSecret',
  '*.key',
];

export function createLoggerOptions(level: LogLevel, bindings: Record<string, string>): LoggerOptions {
  return {
    level,
    base: { pid: process.pid, ...bindings },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}
