// What a command prints on stdout: its result as text for people, or with --json as one JSON
// document and nothing else (progress and notes go to stderr), so `pitchey … --json | jq` always parses.

let printed = false;

/** The result: JSON when asked for, else the text (built only then). */
export function emit(json: boolean | undefined, value: unknown, text: () => string): void {
  printed = true;
  console.log(json === true ? JSON.stringify(value, null, 2) : text());
}

/** Whether a result went to stdout already: a failure after it (exit 1 on an unhealthy service) adds nothing there. */
export const resultPrinted = (): boolean => printed;

/** A progress line: stdout for people, stderr under --json (stdout holds only the JSON). */
export function progress(json: boolean | undefined, line: string): void {
  (json === true ? process.stderr : process.stdout).write(`${line}\n`);
}
