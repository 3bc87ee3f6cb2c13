import { describe, expect, it } from 'vitest';
import { parseWebHostArgs } from './args.js';

describe('web host arguments', () => {
  it('defaults to port 7800, .data/desktop, Vite and a demo hub', () => {
    expect(parseWebHostArgs([], {})).toEqual({
      port: 7800,
      portExplicit: false,
      hubUrl: null,
      dataDir: '.data/desktop',
      staticDir: null,
      simulator: true,
    });
  });

  it('takes --hub over CONCIERGE_HUB_URL, and the variable when no flag', () => {
    const env = { CONCIERGE_HUB_URL: 'http://hub.example:7700' };
    expect(parseWebHostArgs([], env).hubUrl).toBe('http://hub.example:7700');
    expect(parseWebHostArgs(['--hub', 'http://127.0.0.1:9'], env).hubUrl).toBe(
      'http://127.0.0.1:9',
    );
  });

  it('reads every flag', () => {
    expect(
      parseWebHostArgs(
        ['--port', '0', '--data-dir', '/tmp/x', '--static', 'out/web', '--no-simulator'],
        {},
      ),
    ).toMatchObject({
      port: 0,
      portExplicit: true,
      dataDir: '/tmp/x',
      staticDir: 'out/web',
      simulator: false,
    });
  });

  it.each([[['--port', 'abc']], [['--port', '70000']], [['--hub', 'ftp://x']], [['--bogus']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseWebHostArgs(argv, {})).toThrow();
    },
  );
});
