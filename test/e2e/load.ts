// A steady request load from the test process against the platform (a separate process tree):
// every answer is recorded with its status and the release version that produced it.
export interface Answer {
  at: number;
  status: number;
  version: string | null;
  /** Why no answer came (status 0): the fetch error's cause, so a failure says what broke. */
  error?: string;
}

export interface Load {
  stop(): Promise<Answer[]>;
  answers: Answer[];
}

export function startLoad(url: string, ratePerSecond: number, headers: Record<string, string> = {}, timeoutMs = 10_000): Load {
  const answers: Answer[] = [];
  const inflight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const p = fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) })
      .then(async (res) => {
        await res.arrayBuffer();
        answers.push({ at: Date.now(), status: res.status, version: res.headers.get('x-pitchey-version') });
      })
      .catch((err: unknown) => {
        answers.push({ at: Date.now(), status: 0, version: null, error: whyNoAnswer(err) });
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / ratePerSecond);
  return {
    answers,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inflight]);
      return answers;
    },
  };
}

function whyNoAnswer(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return [err.name, cause?.code ?? cause?.message].filter(Boolean).join(': ');
}

export function failed(answers: Answer[]): Answer[] {
  return answers.filter((a) => a.status === 0 || a.status >= 500);
}
