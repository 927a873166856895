// A command line that cannot be run as typed: main prints it with the usage and exits 64.
export class UsageError extends Error {
  constructor(message: string) { super(message); this.name = 'UsageError'; }
}

/** A command ran and found something wrong (an unhealthy service): exit 1 after printing. */
export class CheckFailed extends Error {
  constructor(message: string) { super(message); this.name = 'CheckFailed'; }
}
