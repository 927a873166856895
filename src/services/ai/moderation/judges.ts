// Who judges a moderation request: the offline checks, OpenAI's moderation endpoint, or a guard
// model (Llama Guard through Ollama or an OpenAI-compatible server), chosen by setting or request.
// Provider judges go through the provider layer (retries, breaker, concurrency, usage); when one
// fails the offline checks judge instead and the answer says why. The offline hard block (sexual
// content involving minors) applies whoever judges.
import { Problem } from '../../../kit/index.js';
import { moderate, OPENAI_CATEGORIES } from '../local/moderation.js';
import type { ProviderLayer } from '../provider-layer.js';
import type { ModerationVerdict } from '../providers/provider.js';
import { GUARD_CATEGORIES, readGuardAnswer } from './llama-guard.js';

export const DEFAULT_OPENAI_MODERATION_MODEL = 'omni-moderation-latest';
const OFFLINE_NOTICE =
  'Judged only by the offline checks (phrase patterns, word lists and a small classifier): they catch plain threats, insults, hate, self-harm and sexual content, and miss much that a moderation model would catch. Set PITCHEY_AI_MODERATION or `judge` for a provider.';

export type JudgeSpec = { kind: 'offline' } | { kind: 'openai'; model: string } | { kind: 'guard'; model: string };

/** `offline`, `openai`, `openai:<model>` or `guard:<model>` (as the setting documents). */
export function parseJudge(ref: string): JudgeSpec {
  if (ref === 'offline') return { kind: 'offline' };
  if (ref === 'openai') return { kind: 'openai', model: DEFAULT_OPENAI_MODERATION_MODEL };
  if (ref.startsWith('openai:')) return { kind: 'openai', model: ref.slice('openai:'.length) };
  if (ref.startsWith('guard:') && ref.length > 'guard:'.length) return { kind: 'guard', model: ref.slice('guard:'.length) };
  throw new Problem('VALIDATION_FAILED', `No moderation judge "${ref}"; use offline, openai, openai:<model> or guard:<model>.`, {
    extensions: { errors: [{ field: 'body/judge', message: 'is not a judge' }] },
  });
}

export interface Judgement extends ModerationVerdict {
  assessed: readonly string[];
  hardBlock: boolean;
  /** The offline checks' reasons (always computed: the hard block, PII and profanity come from them). */
  offline: ReturnType<typeof moderate>;
}

export interface JudgedBatch {
  judgements: Judgement[];
  judgedBy: { judge: JudgeSpec['kind']; provider: string | null; model: string | null };
  /** Why a provider judge was asked but the offline checks answered. */
  fallbackReason: string | null;
  offlineOnly: boolean;
  notice: string | null;
}

const offlineJudgement = (m: ReturnType<typeof moderate>): Judgement => ({
  flagged: m.flagged,
  categories: m.categories,
  scores: m.category_scores,
  assessed: m.assessed_categories,
  hardBlock: m.hard_block,
  offline: m,
});

/** The provider's verdict, with the offline hard block laid over it. */
function withHardBlock(v: ModerationVerdict, assessed: readonly string[], offline: ReturnType<typeof moderate>): Judgement {
  if (!offline.hard_block) return { ...v, assessed, hardBlock: false, offline };
  return {
    flagged: true,
    categories: { ...v.categories, 'sexual/minors': true },
    scores: { ...v.scores, 'sexual/minors': Math.max(v.scores['sexual/minors'] ?? 0, offline.category_scores['sexual/minors'] ?? 0) },
    assessed: [...new Set([...assessed, 'sexual/minors'])],
    hardBlock: true,
    offline,
  };
}

async function askProvider(
  layer: ProviderLayer,
  spec: Exclude<JudgeSpec, { kind: 'offline' }>,
  texts: string[],
  context: { signal: AbortSignal; account: (t: { provider: string; model: string }, inTokens: number, outTokens: number) => void },
) {
  if (spec.kind === 'openai') {
    const { target, value } = await layer.generation.run([{ provider: 'openai', model: spec.model }], context.signal, (p, t, signal) => {
      if (p.moderate === undefined) throw new Problem('AI_NOT_SUPPORTED', `${p.name} has no moderation endpoint.`);
      return p.moderate({ model: t.model, input: texts }, signal);
    });
    return { target: { provider: target.provider, model: value.model }, verdicts: value.verdicts, assessed: OPENAI_CATEGORIES as readonly string[] };
  }
  const targets = await layer.catalogue.resolveModel(spec.model);
  const verdicts: ModerationVerdict[] = [];
  let used = targets[0]!;
  for (const text of texts) {
    // Llama Guard's own prompt template (in Ollama's modelfile or the server's chat template) frames the turn.
    const { target, result } = await layer.generation.generate(targets, { messages: [{ role: 'user', content: text }], maxTokens: 24, temperature: 0 }, context.signal);
    context.account(target, result.usage.inputTokens, result.usage.outputTokens);
    used = target;
    verdicts.push(readGuardAnswer(result.text, OPENAI_CATEGORIES));
  }
  return { target: used, verdicts, assessed: GUARD_CATEGORIES };
}

export async function judgeTexts(
  layer: ProviderLayer,
  spec: JudgeSpec,
  texts: string[],
  context: { signal: AbortSignal; principal: string; account: (t: { provider: string; model: string }, inTokens: number, outTokens: number) => void },
): Promise<JudgedBatch> {
  const offline = texts.map((t) => moderate(t));
  const offlineBatch = (fallbackReason: string | null): JudgedBatch => ({
    judgements: offline.map(offlineJudgement),
    judgedBy: { judge: 'offline', provider: null, model: null },
    fallbackReason,
    offlineOnly: true,
    notice: OFFLINE_NOTICE,
  });
  if (spec.kind === 'offline') return offlineBatch(null);
  try {
    layer.assertBudget(context.principal);
    const asked = await askProvider(layer, spec, texts, context);
    return {
      judgements: asked.verdicts.map((v, i) => withHardBlock(v, asked.assessed, offline[i]!)),
      judgedBy: { judge: spec.kind, provider: asked.target.provider, model: asked.target.model },
      fallbackReason: null,
      offlineOnly: false,
      notice: null,
    };
  } catch (err) {
    if (context.signal.aborted) throw err;
    return offlineBatch(`${spec.kind === 'openai' ? `openai:${spec.model}` : `guard:${spec.model}`} could not judge: ${(err as Error).message}`);
  }
}
