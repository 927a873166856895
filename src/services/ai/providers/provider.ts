// The provider port: one chat completion, streamed or not, from a hosted or local LLM. Adapters:
// openai-provider.ts (also any OpenAI-compatible server), anthropic-provider.ts, ollama-provider.ts.

export const PROVIDER_NAMES = ['openai', 'anthropic', 'ollama'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ChatRequest {
  model: string;
  prompt: string;
  system?: string;
  maxTokens: number;
  temperature: number;
}

export interface Usage { inputTokens: number; outputTokens: number }

export interface ChatResult {
  text: string;
  /** The model the provider says answered (may be more specific than the one asked for). */
  model: string;
  usage: Usage;
  finishReason: string | null;
}

export type ChatChunk =
  | { kind: 'text'; text: string }
  | { kind: 'usage'; usage: Partial<Usage> }
  | { kind: 'done'; finishReason: string | null; model?: string };

export interface Provider {
  name: ProviderName;
  /** Why the provider cannot be used at all (no key, no base URL), or null when configured. */
  disabledReason: string | null;
  /** Where it is reached (never with credentials). */
  baseUrl: string;
  generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  stream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk>;
  /** The models the provider serves, asked live. */
  listModels(signal: AbortSignal): Promise<string[]>;
}

/** A failed provider call, classified once so the retry policy needs no knowledge of SDKs. */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderName,
    message: string,
    readonly details: {
      status?: number;
      /** Worth trying the same provider again (429, 408, 409, 5xx, dropped connection). */
      retryable: boolean;
      /** Counts towards cooling the provider down (not the caller's own bad request). */
      providerFault: boolean;
      retryAfterMs?: number;
    },
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
