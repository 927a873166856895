// Signal handling for long-running roles: the first SIGTERM/SIGINT starts a graceful stop, a
// second one (or the stop outliving its deadline) exits at once.
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, options: { deadlineMs: number }): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) { process.exit(130); }
    stopping = true;
    const force = setTimeout(() => process.exit(1), options.deadlineMs);
    force.unref();
    stop(signal).then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
