import { describe, expect, it } from 'vitest';
import { withDrainDefault } from './drain-default.js';

describe('drain default', () => {
  it("fills drain for ops agents from the hub's setting, and leaves people and explicit values alone", () => {
    expect(withDrainDefault('openclaw.restart', {}, 'service', false)).toEqual({ drain: false });
    expect(withDrainDefault('model.set', { model: 'a/b' }, 'service', true)).toEqual({ model: 'a/b', drain: true });
    expect(withDrainDefault('openclaw.restart', { drain: true }, 'service', false)).toEqual({ drain: true });
    expect(withDrainDefault('openclaw.restart', {}, 'admin', false)).toEqual({});
    expect(withDrainDefault('ping', {}, 'service', false)).toEqual({});
  });
});
