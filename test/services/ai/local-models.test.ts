import { describe, expect, it } from 'vitest';
import { moderate, findProfanity, excessiveCaps } from '../../../src/services/ai/local/moderation.js';
import { findPii, ibanValid, luhnValid } from '../../../src/services/ai/local/pii.js';
import { analyzeText, sentiment } from '../../../src/services/ai/local/nlp.js';
import { detectLanguage } from '../../../src/services/ai/local/language.js';

describe('sentiment (wink-nlp, offline)', () => {
  it.each([
    ['I love this product, it works great and I am very happy.', 'positive'],
    ['This is terrible. I hate it and it broke on the first day.', 'negative'],
    ['The meeting is on Tuesday at the main office.', 'neutral'],
    ['This is not good at all.', 'negative'],
  ])('%s → %s, scores sum to 1', (text, label) => {
    const s = sentiment(text);
    expect(s.label).toBe(label);
    expect(s.scores.map((x) => x.label).sort()).toEqual(['negative', 'neutral', 'positive']);
    expect(s.scores.reduce((a, x) => a + x.score, 0)).toBeCloseTo(1, 10);
    expect(s.scores[0]!.label).toBe(label);
  });
});

describe('analysis', () => {
  it('counts words and sentences, rates readability, finds keywords', () => {
    const a = analyzeText('The cat sat on the mat. The cat was happy! Cats like mats.');
    expect(a.wordCount).toBe(13);
    expect(a.sentenceCount).toBe(3);
    expect(a.readability.flesch_reading_ease).toBeGreaterThan(60);
    expect(a.keywords[0]).toEqual({ keyword: 'cat', count: 2 });
  });
  it('detects the language', () => {
    expect(detectLanguage('The quick brown fox jumps over the lazy dog and keeps running far away.')).toBe('eng');
    expect(detectLanguage('Le renard brun rapide saute par-dessus le chien paresseux et continue de courir.')).toBe('fra');
    expect(detectLanguage('hi')).toBe('und');
  });
});

describe('PII', () => {
  it('finds e-mails, phones, Luhn-valid cards and mod-97-valid IBANs with their spans', () => {
    const text =
      'Mail john.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111, typo 4111 1111 1111 1112; IBAN GB82 WEST 1234 5698 7654 32 (bad GB82 WEST 1234 5698 7654 33); order 12345678 on 2024-01-15';
    const spans = findPii(text);
    expect(spans.map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ['email', 'john.doe@example.com'],
      ['phone', '+44 20 7946 0958'],
      ['card_number', '4111 1111 1111 1111'],
      ['iban', 'GB82 WEST 1234 5698 7654 32'],
    ]);
    expect(spans[2]!.masked).toBe('**** **** **** 1111');
    expect(spans[0]!.masked).toBe('j***@example.com');
  });
  it('checks Luhn and mod 97', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });
});

describe('moderation', () => {
  it('catches l33t and spaced-out profanity and maps it to OpenAI categories', () => {
    const text = 'you are a f u c k i n g b1tch';
    const words = findProfanity(text)
      .map((h) => h.word)
      .sort();
    expect(words).toEqual(['bitch', 'fuck']);
    const m = moderate(text);
    expect(m.flagged).toBe(true);
    expect(m.categories.harassment).toBe(true);
    expect(m.category_scores.harassment).toBeGreaterThanOrEqual(0.5);
    expect(m.flags).toEqual(expect.arrayContaining(['profanity', 'harassment']));
    expect(m.approved).toBe(false);
    expect(Object.keys(m.categories)).toContain('violence/graphic');
  });
  it('approves clean text and does not flag Scunthorpe', () => {
    const m = moderate('What a lovely day in Scunthorpe, thank you for the class assignment!');
    expect(m).toMatchObject({ flagged: false, approved: true, flags: [] });
  });
  it('flags PII and shouting without flagging a category', () => {
    const m = moderate('PLEASE CALL ME AT +1 (555) 123-4567 RIGHT NOW!!!');
    expect(m.flagged).toBe(false);
    expect(m.flags).toEqual(['pii', 'excessive_caps']);
    expect(m.approved).toBe(false);
    expect(excessiveCaps('Hello there, how are you?')).toBe(false);
  });
});
