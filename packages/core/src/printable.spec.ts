import { printable } from './printable';

describe('printable', () => {
  it('quotes and escapes newlines, carriage returns, ANSI and C1 controls', () => {
    const out = printable('a"\n[coordinator] forged\r\u001b[31m\u009b\u007f');
    expect(out).toBe('"a\\"\\n[coordinator] forged\\r\\u001b[31m\\u009b\\u007f"');
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('cuts long strings and stringifies non-strings', () => {
    expect(printable('x'.repeat(300), 10)).toBe(`"${'x'.repeat(10)}..."`);
    expect(printable(42)).toBe('"42"');
  });
});
