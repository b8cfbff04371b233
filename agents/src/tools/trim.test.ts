import { describe, expect, it } from 'vitest';
import { forModel } from './trim.js';

describe('tool results for the model', () => {
  it('keeps small answers whole, cuts long lists and long text and says so', () => {
    expect(forModel({ a: 1 })).toBe('{"a":1}');
    const list = JSON.parse(
      forModel(
        Array.from({ length: 80 }, (_, i) => i),
        { maxItems: 50 },
      ),
    );
    expect(list.items).toHaveLength(50);
    expect(list.omitted).toBe(30);
    const long = forModel({ text: 'x'.repeat(20_000) }, { maxChars: 1000 });
    expect(long.length).toBeLessThan(1100);
    expect(long).toMatch(/\[cut: \d+ more characters; ask for less\]$/);
  });
});
