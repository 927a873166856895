// POST /v1/moderations: OpenAI's request and answer, judged as /moderate is (offline checks,
// OpenAI's moderation endpoint or a guard model). `model` picks the judge: an OpenAI moderation
// model (`omni-moderation-*`, `text-moderation-*`), `offline`, a judge reference as the setting
// takes, or any other name: a guard model. Which judged, and whether only the offline checks did,
// is told beside the results.
import { randomUUID } from 'node:crypto';
import { Type, type HttpApp, type ServiceContext, type Static } from '../../../kit/index.js';
import { MODERATION_MODEL } from '../local/moderation.js';
import { judgeContext } from '../moderation/context.js';
import { judgeTexts, parseJudge, type JudgeSpec } from '../moderation/judges.js';
import type { ProviderLayer } from '../provider-layer.js';
import { RATE_LIMITS } from '../routes-local.js';
import { requireText } from '../text-limits.js';
import { ModerationsAnswer } from './answers.js';

const ModerationBody = Type.Object(
  {
    input: Type.Union([
      Type.String(),
      Type.Array(Type.String(), { minItems: 1, maxItems: 32 }),
      Type.Array(Type.Object({ type: Type.Literal('text'), text: Type.String() }), { minItems: 1, maxItems: 32, description: 'text parts only; images are not judged here' }),
    ]),
    model: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

function judgeFor(model: string | undefined, fallback: string): JudgeSpec {
  if (model === undefined) return parseJudge(fallback);
  if (/^(?:omni|text)-moderation/.test(model)) return { kind: 'openai', model };
  if (/^(?:offline|openai(?::.*)?|guard:.+)$/.test(model)) return parseJudge(model);
  return { kind: 'guard', model };
}

export function registerModerationsRoute(app: HttpApp, ctx: ServiceContext, layer: ProviderLayer): void {
  app.post(
    '/moderations',
    {
      config: { rateLimit: { max: RATE_LIMITS.moderate, timeWindow: '1 minute' } },
      schema: { summary: "OpenAI moderations, judged offline, by OpenAI's moderation model or by a guard model", tags: ['openai'], body: ModerationBody, doc: { ok: { json: ModerationsAnswer } } },
    },
    async (req, reply): Promise<Static<typeof ModerationsAnswer>> => {
      const texts = [req.body.input].flat().map((i, n) => requireText(typeof i === 'string' ? i : i.text, { field: `input/${n}`, limit: ctx.config.aiTextLimits.moderate }));
      const batch = await judgeTexts(layer, judgeFor(req.body.model, ctx.config.aiModeration), texts, judgeContext(layer, req, reply));
      return {
        id: `modr-${randomUUID().replaceAll('-', '')}`,
        model: batch.judgedBy.model ?? MODERATION_MODEL.name,
        results: batch.judgements.map((j) => ({
          flagged: j.flagged,
          categories: j.categories,
          category_scores: j.scores,
          category_applied_input_types: Object.fromEntries(Object.keys(j.categories).map((c) => [c, j.assessed.includes(c) ? ['text'] : []])),
          assessed_categories: [...j.assessed],
          hard_block: j.hardBlock,
        })),
        judged_by: batch.judgedBy,
        offline_only: batch.offlineOnly,
        notice: batch.notice,
        fallback_reason: batch.fallbackReason,
      };
    },
  );
}
