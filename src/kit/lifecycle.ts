// Signal handling for long-running roles: the first SIGTERM/SIGINT starts a graceful stop, a
// second one (or the stop outliving its deadline) exits at once.

/** Why a role stops: a signal, or its supervisor's IPC channel closing (the supervisor is gone). */
export type StopReason = NodeJS.Signals | 'disconnect';

/**
 * Stops on SIGTERM/SIGINT, exiting 0 once `stop` resolves, 1 if it fails or outlives `deadlineMs`.
 * Returns the same graceful stop for other reasons; it does nothing once a stop has begun.
 */
export function onShutdownSignal(stop: (reason: StopReason) => Promise<void>, options: { deadlineMs: number }): (reason: StopReason) => void {
  let stopping = false;
  const begin = (reason: StopReason): void => {
    stopping = true;
    const force = setTimeout(() => process.exit(1), options.deadlineMs);
    force.unref();
    stop(reason).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    begin(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return (reason) => {
    if (!stopping) begin(reason);
  };
}
