import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HubUrl } from '../shared/bridge/contract.js';

/** Optional `settings.json` in the app's data directory (written by an admin or installer). */
export const AppSettings = z.object({ hubUrl: HubUrl.optional() }).passthrough();
export type AppSettings = z.infer<typeof AppSettings>;

export function readSettings(dir: string): AppSettings {
  try {
    const parsed = AppSettings.safeParse(
      JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')),
    );
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** The configured hub: CONCIERGE_HUB_URL first, then settings.json; null means "start the demo hub". */
export function configuredHubUrl(env: NodeJS.ProcessEnv, settings: AppSettings): string | null {
  const fromEnv = env.CONCIERGE_HUB_URL?.trim();
  if (fromEnv && HubUrl.safeParse(fromEnv).success) return fromEnv;
  return settings.hubUrl ?? null;
}
