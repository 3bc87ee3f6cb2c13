import { describe, expect, it } from 'vitest';
import { isAllowedBridgeOrigin } from './origin.js';

describe('isAllowedBridgeOrigin', () => {
  it.each([
    ['http://127.0.0.1:7800', '127.0.0.1:7800', true],
    ['http://localhost:7800', 'localhost:7800', true],
    ['http://[::1]:7800', '[::1]:7800', true],
    ['http://localhost:7800', '127.0.0.1:7800', false], // page and socket on different hosts
    ['http://127.0.0.1:7801', '127.0.0.1:7800', false],
    ['http://127.0.0.1:7800', '127.0.0.1:7801', false], // Host does not name this server
    ['https://127.0.0.1:7800', '127.0.0.1:7800', false],
    ['http://evil.example:7800', 'evil.example:7800', false], // DNS rebinding
    ['http://127.0.0.1.evil.example:7800', '127.0.0.1.evil.example:7800', false],
    ['null', '127.0.0.1:7800', false], // sandboxed iframe / file:// page
    [undefined, '127.0.0.1:7800', false],
    ['http://127.0.0.1:7800', undefined, false],
    ['http://127.0.0.1:7800/path', '127.0.0.1:7800', false],
  ])('Origin %s, Host %s → %s', (origin, host, expected) => {
    expect(isAllowedBridgeOrigin(origin, host, 7800)).toBe(expected);
  });

  it('accepts an explicitly configured extra origin', () => {
    expect(
      isAllowedBridgeOrigin('http://localhost:5173', '127.0.0.1:7800', 7800, [
        'http://localhost:5173',
      ]),
    ).toBe(true);
  });
});
