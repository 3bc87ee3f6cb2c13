import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// The packaged app is only built on release machines (it needs the Electron binary and headers);
// this guards the configuration that decides its security and whether native modules load.
const Config = z.object({
  files: z.array(z.string()),
  asarUnpack: z.array(z.string()),
  npmRebuild: z.boolean(),
  electronFuses: z.record(z.string(), z.boolean()),
  win: z.object({ target: z.array(z.string()) }),
  mac: z.object({ target: z.array(z.string()), extendInfo: z.record(z.string(), z.string()) }),
  linux: z.object({ target: z.array(z.string()) }),
});
const config = Config.parse(JSON.parse(readFileSync('electron-builder.json', 'utf8')));
const pkg = z
  .object({ main: z.string(), scripts: z.record(z.string(), z.string()) })
  .parse(JSON.parse(readFileSync('package.json', 'utf8')));

describe('electron-builder configuration', () => {
  it('builds the three desktop targets', () => {
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    expect(config.linux.target).toContain('AppImage');
  });

  it('sets every security fuse explicitly, locked down', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('rebuilds native modules for Electron at packaging time and keeps them outside the asar', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    // Tests run under Node: nothing may rebuild better-sqlite3 for Electron at install time.
    expect(Object.keys(pkg.scripts)).not.toContain('postinstall');
  });

  it('ships the built main (with the demo hub), preload and renderer', () => {
    expect(pkg.main).toBe('out/main/index.js');
    expect(config.files).toEqual(
      expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**']),
    );
  });

  it('explains the microphone request on macOS', () => {
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/i);
  });
});
