// POST /moderate: the contract's fields beside OpenAI's moderation shape, judged by the offline
// checks or a provider (setting PITCHEY_AI_MODERATION, or `judge` in the request), saying which
// judged it and, when only the offline checks did, that they are all there was.
import { Type, type HttpApp, type ServiceContext, type Static } from '../../kit/index.js';
import { MODERATE_DOC, type ModerateAnswer } from './answers.js';
import { excessiveCaps, OPENAI_CATEGORIES } from './local/moderation.js';
import { judgeContext } from './moderation/context.js';
import { judgeTexts, parseJudge } from './moderation/judges.js';
import type { ProviderLayer } from './provider-layer.js';
import { RATE_LIMITS } from './routes-local.js';
import { requireText } from './text-limits.js';

export function registerModerateRoute(app: HttpApp, ctx: ServiceContext, layer: ProviderLayer): void {
  app.post(
    '/moderate',
    {
      config: { rateLimit: { max: RATE_LIMITS.moderate, timeWindow: '1 minute' } },
      schema: {
        summary: 'Moderate a text: threats, harassment, hate, self-harm, sexual content (minors: hard block), profanity, PII, shouting',
        body: Type.Object({
          content: Type.String(),
          judge: Type.Optional(Type.String({ description: 'offline, openai, openai:<model> or guard:<model>; default the PITCHEY_AI_MODERATION setting' })),
        }),
        doc: MODERATE_DOC,
      },
    },
    async (req, reply): Promise<Static<typeof ModerateAnswer>> => {
      const content = requireText(req.body.content, { field: 'content', limit: ctx.config.aiTextLimits.moderate });
      const spec = parseJudge(req.body.judge ?? ctx.config.aiModeration);
      const batch = await judgeTexts(layer, spec, [content], judgeContext(layer, req, reply));
      const j = batch.judgements[0]!;
      const { profanity, pii, evidence } = j.offline;
      const flags = [
        ...(profanity.length > 0 ? ['profanity'] : []),
        ...OPENAI_CATEGORIES.filter((c) => j.categories[c]),
        ...(pii.length > 0 ? ['pii'] : []),
        ...(excessiveCaps(content) ? ['excessive_caps'] : []),
      ];
      return {
        content_preview: content.length > 100 ? `${content.slice(0, 100)}…` : content,
        flags,
        approved: !j.flagged && profanity.length === 0 && pii.length === 0,
        timestamp: new Date().toISOString(),
        flagged: j.flagged,
        categories: j.categories,
        category_scores: j.scores,
        assessed_categories: [...j.assessed],
        hard_block: j.hardBlock,
        judged_by: batch.judgedBy,
        offline_only: batch.offlineOnly,
        notice: batch.notice,
        fallback_reason: batch.fallbackReason,
        evidence,
        profanity,
        pii,
      };
    },
  );
}
