/** How each platform counts, and fitting text into its limits (the idea drafts build on these). */
import { describe, expect, it } from 'vitest';
import { characterLength, pack, rulesFor, truncate, twitterLength } from '../../src/content/platforms.ts';

describe('platform counting', () => {
  it('counts X posts as twitter-text does: CJK and emoji weigh 2, a URL 23', () => {
    expect(twitterLength('hello')).toBe(5);
    expect(twitterLength('日本語')).toBe(6);
    expect(twitterLength('👍🏽')).toBe(2); // one emoji sequence, skin tone included
    expect(twitterLength('👨‍👩‍👧')).toBe(2);
    expect(twitterLength('read https://example.com/a/very/long/path?with=query')).toBe(5 + 23);
    expect(twitterLength('café – “quoted”')).toBe(15);
  });

  it('counts other platforms in characters as people see them', () => {
    expect(characterLength('👨‍👩‍👧 é')).toBe(3);
    expect(rulesFor('linkedin', 'standard').maxLength).toBe(3000);
    expect(rulesFor('threads', undefined).maxLength).toBe(500);
    expect(rulesFor('instagram', undefined).maxLength).toBe(2200);
    expect(rulesFor('youtube', 'video')).toMatchObject({ maxLength: 5000, titleMax: 100 });
    expect(rulesFor('twitter', 'premium').maxLength).toBe(25_000);
  });

  const texts = [
    'Short.',
    'Onboarding is where trust is won or lost. '.repeat(20),
    'Ünïcödé sentences — with dashes, “quotes” and accents. '.repeat(12),
    '日本語の文章はここにあります。'.repeat(30),
    'Emoji everywhere 🚀🔥✨ make it fun! 👩🏽‍💻 '.repeat(25),
    `Links count as 23: https://example.com/${'x'.repeat(200)} and more words after it. `.repeat(6),
    'averyveryverylongwordwithoutanyspaces'.repeat(20),
  ];

  it('truncates and packs any text within every limit, whatever it is made of', () => {
    for (const text of texts) {
      for (const [max, measure] of [
        [280, twitterLength],
        [500, characterLength],
        [100, characterLength],
      ] as const) {
        expect(measure(truncate(text, max, measure)), text.slice(0, 30)).toBeLessThanOrEqual(max);
        for (const post of pack(text, max, measure)) expect(measure(post), text.slice(0, 30)).toBeLessThanOrEqual(max);
      }
    }
  });

  it('keeps what fits as it is, and cuts at a word with an ellipsis', () => {
    expect(truncate('Fits fine.', 280, twitterLength)).toBe('Fits fine.');
    expect(truncate('one two three four five six', 12, characterLength)).toBe('one two…');
    expect(pack('First one. Second one. Third one.', 22, characterLength)).toEqual(['First one. Second one.', 'Third one.']);
  });
});
