import { describe, expect, it } from 'vitest';
import { channelsReported } from './view.js';

describe('channels as the agents report them', () => {
  it('is connected when any instance has the channel connected, else gives the first reason', () => {
    expect(
      channelsReported([
        [
          { id: 'whatsapp', connected: false, error: 'logged out' },
          { id: 'telegram', connected: false, error: 'getMe 401' },
        ],
        undefined,
        [
          { id: 'whatsapp', connected: true },
          { id: 'telegram', connected: false, error: 'timeout' },
        ],
      ]),
    ).toEqual({
      whatsapp: { connected: true, error: null },
      telegram: { connected: false, error: 'getMe 401' },
    });
  });

  it('leaves out a channel the gateway says nothing about', () => {
    expect(channelsReported([[{ id: 'slack' }, { id: 'discord', error: 'bad token' }]])).toEqual({
      discord: { connected: false, error: 'bad token' },
    });
  });
});
