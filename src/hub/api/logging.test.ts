import { describe, expect, it } from 'vitest';
import { redactUrl } from './logging.js';

describe('redactUrl', () => {
  it('hides token query parameters wherever they are', () => {
    expect(redactUrl('/api/v1/stream?token=abc.def&after=5')).toBe(
      '/api/v1/stream?token=[redacted]&after=5',
    );
    expect(redactUrl('/api/v1/stream?after=5&TOKEN=abc')).toBe(
      '/api/v1/stream?after=5&TOKEN=[redacted]',
    );
    expect(redactUrl('/api/v1/me')).toBe('/api/v1/me');
    expect(redactUrl('/x?mytoken=keep')).toBe('/x?mytoken=keep');
  });
});
