// Starts the AI service in-process over a temp data dir, pointed at local provider servers,
// with its logs captured so tests can read what was (and was not) logged.
import { Writable } from 'node:stream';
import { createService, type RunningService } from '../../src/kit/index.js';
import { aiService } from '../../src/services/ai/index.js';
import { makeTempDir, testConfig } from '../helpers.js';
import type { FakeProvider } from './ai-providers.js';

export interface AiUnderTest {
  svc: RunningService;
  logs: string[];
  close(): Promise<void>;
}

export function providerEnv(fakes: { openai?: FakeProvider; anthropic?: FakeProvider; ollama?: FakeProvider }): Record<string, string> {
  return {
    ...(fakes.openai ? { PITCHEY_AI_OPENAI_BASE_URL: fakes.openai.baseUrl, PITCHEY_AI_OPENAI_API_KEY: 'sk-test-openai' } : {}),
    ...(fakes.anthropic ? { PITCHEY_AI_ANTHROPIC_BASE_URL: fakes.anthropic.baseUrl, PITCHEY_AI_ANTHROPIC_API_KEY: 'sk-ant-test' } : {}),
    ...(fakes.ollama ? { PITCHEY_AI_OLLAMA_BASE_URL: fakes.ollama.baseUrl } : {}),
  };
}

export async function startAi(env: Record<string, string> = {}): Promise<AiUnderTest> {
  const tmp = makeTempDir('pitchey-ai-test-');
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const svc = await createService(aiService, { config: testConfig(tmp.dir, { PITCHEY_LOG_LEVEL: 'info', ...env }), logStream });
  await svc.listen(0, '127.0.0.1');
  return {
    svc,
    logs,
    close: async () => {
      await svc.drain();
      tmp.remove();
    },
  };
}

/** Splits a server-sent events body into `{event, data}` frames. */
export function parseSse(body: string): { event: string; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((f) => f.trim() !== '')
    .map((f) => {
      const event = /^event: (.*)$/m.exec(f)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(f)?.[1] ?? '{}') as Record<string, unknown>;
      return { event, data };
    });
}
