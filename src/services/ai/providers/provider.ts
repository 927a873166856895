// The provider port: one chat completion, streamed or not, from a hosted or local LLM, and
// embeddings and moderation where the provider offers them. Adapters: openai-provider.ts (also any
// OpenAI-compatible server), anthropic-provider.ts, ollama-provider.ts. Messages and tools are in
// OpenAI's terms (the lingua franca); each adapter translates to and from its own protocol.

export const PROVIDER_NAMES = ['openai', 'anthropic', 'ollama'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A function the model asked to call; `arguments` is JSON text, as OpenAI sends it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** assistant: the calls it made. */
  toolCalls?: ToolCall[];
  /** tool: the call this message answers. */
  toolCallId?: string;
}

export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };
/** JSON mode, or structured output to a JSON Schema (OpenAI's `response_format`). */
export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  topP?: number;
  stop?: string[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  /** Only for providers whose `jsonOutput` is true. */
  responseFormat?: ResponseFormat;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Why generation stopped, in OpenAI's words (adapters map theirs onto these). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  /** The model the provider says answered (may be more specific than the one asked for). */
  model: string;
  usage: Usage;
  finishReason: FinishReason | null;
}

export type ChatChunk =
  | { kind: 'text'; text: string }
  /** A piece of the `index`th tool call: its id and name arrive first, its arguments in pieces. */
  | { kind: 'tool_call'; index: number; id?: string; name?: string; arguments: string }
  | { kind: 'usage'; usage: Partial<Usage> }
  | { kind: 'done'; finishReason: FinishReason | null; model?: string };

export interface EmbeddingRequest {
  model: string;
  input: string[];
  dimensions?: number;
}
export interface EmbeddingResult {
  vectors: number[][];
  model: string;
  usage: { inputTokens: number };
}

export interface ModerationRequest {
  model: string;
  input: string[];
}
/** One text's verdict from a moderation endpoint, in OpenAI's category names. */
export interface ModerationVerdict {
  flagged: boolean;
  categories: Record<string, boolean>;
  scores: Record<string, number>;
}

export interface Provider {
  name: ProviderName;
  /** Why the provider cannot be used at all (no key, no base URL), or null when configured. */
  disabledReason: string | null;
  /** Where it is reached (never with credentials). */
  baseUrl: string;
  /** Whether it can be held to JSON output (`responseFormat`). */
  jsonOutput: boolean;
  generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  stream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk>;
  /** Absent where the provider has no embeddings API (Anthropic). */
  embed?(req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult>;
  /** A moderation endpoint (OpenAI's); absent elsewhere. */
  moderate?(req: ModerationRequest, signal: AbortSignal): Promise<{ model: string; verdicts: ModerationVerdict[] }>;
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

/** The conversation a single prompt (and optional system text) makes. */
export function promptMessages(prompt: string, system?: string): ChatMessage[] {
  return [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }];
}
