// What a moderation route hands the judges: the request's signal, who pays, and how a guard
// model's tokens are accounted (as any other generation).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientGoneSignal } from '../../../kit/index.js';
import type { ProviderLayer } from '../provider-layer.js';
import type { ProviderName } from '../providers/provider.js';

export function judgeContext(layer: ProviderLayer, req: FastifyRequest, reply: FastifyReply) {
  const principal = layer.principalOf(req);
  return {
    signal: clientGoneSignal(reply, new Error('client went away')),
    principal,
    account: (t: { provider: string; model: string }, inputTokens: number, outputTokens: number) => {
      layer.account(req, principal, { provider: t.provider as ProviderName, model: t.model }, { inputTokens, outputTokens }, { prompt: 'moderation', completion: null });
    },
  };
}
