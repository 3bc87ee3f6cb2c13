import { describe, expect, it } from 'vitest';
import { type MediaRequest } from '../../shared/bridge/phone.js';
import { MediaChannel } from './media-channel.js';
import { ProxySessionDescriptionHandler } from './proxy-sdh.js';

function channel(timeoutMs = 1000) {
  const sent: MediaRequest[] = [];
  const ch = new MediaChannel((r) => sent.push(r), timeoutMs);
  return { ch, sent };
}

describe('media requests main → renderer', () => {
  it('resolves a request with the owning window answer, keyed by request id', async () => {
    const { ch, sent } = channel();
    ch.attach('window-a');
    const p = ch.request({ op: 'getDescription', sessionId: 's1', hold: false });
    expect(sent[0]).toMatchObject({ op: 'getDescription', sessionId: 's1', clientId: 'window-a' });
    ch.settle({
      requestId: sent[0]!.requestId,
      clientId: 'window-a',
      ok: true,
      value: { type: 'offer', sdp: 'v=0' },
    });
    await expect(p).resolves.toEqual({ type: 'offer', sdp: 'v=0' });
  });

  it('refuses an answer from a window that does not own the media, and fails on timeout', async () => {
    const { ch, sent } = channel(50);
    ch.attach('window-a');
    const p = ch.request({ op: 'close', sessionId: 's1' });
    expect(() =>
      ch.settle({ requestId: sent[0]!.requestId, clientId: 'window-b', ok: true }),
    ).toThrow(/does not own/);
    await expect(p).rejects.toThrow(/did not answer close in time/);
  });

  it('passes a renderer error on, and clear() fails everything pending', async () => {
    const { ch, sent } = channel();
    const failed = ch.request({ op: 'setDescription', sessionId: 's1', sdp: 'x' });
    ch.settle({ requestId: sent[0]!.requestId, clientId: 'any', ok: false, error: 'bad SDP' });
    await expect(failed).rejects.toThrow('bad SDP');
    const pending = ch.request({ op: 'rollback', sessionId: 's1' });
    ch.clear('the phone stopped');
    await expect(pending).rejects.toThrow('the phone stopped');
  });
});

describe('ProxySessionDescriptionHandler', () => {
  it('forwards offer/answer with the hold flag, applies modifiers in main, and closes once', async () => {
    const { ch, sent } = channel();
    ch.attach('w');
    const sdh = new ProxySessionDescriptionHandler('sess-1', ch);
    const got = sdh.getDescription({ hold: true } as object, [
      async (d) => ({ ...d, sdp: `${(d as { sdp: string }).sdp}a=x-mod\r\n` }),
    ]);
    expect(sent[0]).toMatchObject({ op: 'getDescription', sessionId: 'sess-1', hold: true });
    ch.settle({
      requestId: sent[0]!.requestId,
      clientId: 'w',
      ok: true,
      value: { type: 'offer', sdp: 'v=0\r\n' },
    });
    await expect(got).resolves.toEqual({
      body: 'v=0\r\na=x-mod\r\n',
      contentType: 'application/sdp',
    });

    expect(sdh.sendDtmf('12#', { duration: 120, interToneGap: 80 })).toBe(true);
    expect(sent[1]).toMatchObject({ op: 'sendDtmf', tones: '12#', duration: 120, gap: 80 });
    sdh.close();
    sdh.close();
    expect(sent.filter((r) => r.op === 'close')).toHaveLength(1);
    expect(sdh.sendDtmf('1')).toBe(false);
    await expect(sdh.getDescription()).rejects.toThrow(/closed/);
  });

  it('refuses a malformed description from the renderer', async () => {
    const { ch, sent } = channel();
    const sdh = new ProxySessionDescriptionHandler('sess-2', ch);
    const got = sdh.getDescription();
    ch.settle({
      requestId: sent[0]!.requestId,
      clientId: 'w',
      ok: true,
      value: { type: 'pranswer' },
    });
    await expect(got).rejects.toThrow();
  });
});
