import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv.js';

describe('audit CSV', () => {
  it('quotes, escapes and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    expect(toCsv(['x', 'y'], [[1, 'b']])).toBe('x,y\r\n1,b\r\n');
  });
});
