// The one failure a networked job store adds to the port: it cannot be reached right now. The kit
// answers it as a 503 with Retry-After, never as a 500 or a hang.

/** The job store did not answer (down, restarting, loading its log, or too slow); try again shortly. */
export class JobStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobStoreUnavailableError';
  }
}
