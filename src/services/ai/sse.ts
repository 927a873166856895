// Server-sent events for a streamed generation: `event: start`, one `data: {"text"}` frame per
// piece of text, then `event: done` with usage, or `event: error` when the provider fails mid-way.
import type { OpenedStream } from './providers/generation.js';
import type { Usage } from './providers/provider.js';

export const frame = (data: unknown, event?: string): string => `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

export interface StreamOutcome {
  text: string;
  usage: Usage;
  model: string;
  finishReason: string | null;
  error: string | null;
}

/** Renders the stream; `onEnd` runs once with what was delivered (for usage, cost and logs). */
export async function* sseFrames(opened: OpenedStream, onEnd: (outcome: StreamOutcome) => void): AsyncGenerator<string> {
  const outcome: StreamOutcome = { text: '', usage: { inputTokens: 0, outputTokens: 0 }, model: opened.target.model, finishReason: null, error: null };
  try {
    yield frame({ provider: opened.target.provider, model: opened.target.model, fallbacks: opened.failures }, 'start');
    for await (const chunk of opened.chunks) {
      if (chunk.kind === 'text') {
        outcome.text += chunk.text;
        yield frame({ text: chunk.text });
      } else if (chunk.kind === 'usage') outcome.usage = { ...outcome.usage, ...chunk.usage };
      else if (chunk.kind === 'done') {
        outcome.finishReason = chunk.finishReason;
        outcome.model = chunk.model ?? outcome.model;
      }
    }
    yield frame(
      {
        provider: opened.target.provider,
        model: outcome.model,
        finish_reason: outcome.finishReason,
        usage: { prompt_tokens: outcome.usage.inputTokens, completion_tokens: outcome.usage.outputTokens, total_tokens: outcome.usage.inputTokens + outcome.usage.outputTokens },
      },
      'done',
    );
  } catch (err) {
    outcome.error = (err as Error).message;
    yield frame({ code: 'UPSTREAM_UNAVAILABLE', provider: opened.target.provider, detail: `The provider failed mid-stream: ${outcome.error}` }, 'error');
  } finally {
    onEnd(outcome);
  }
}
