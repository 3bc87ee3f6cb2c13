import { expect } from '@playwright/test';

/** Calls the hub's JSON API from an end-to-end test; a non-2xx answer fails the test with its body. */
export async function hubJson(
  hubUrl: string,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<unknown> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(new URL(path, hubUrl), { ...init, headers });
  const body: unknown = await response.json();
  expect(response.ok, `${path}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}
