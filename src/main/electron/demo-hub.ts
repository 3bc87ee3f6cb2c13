import { utilityProcess } from 'electron';
import { type SpawnHub } from '../hub-launcher.js';

/**
 * Runs the bundled hub (out/main/hub.js) in an Electron utility process: a Node environment
 * that does not depend on the ELECTRON_RUN_AS_NODE fuse, and dies with the app.
 */
export function spawnHubInUtilityProcess(hubScript: string): SpawnHub {
  return (args) =>
    utilityProcess.fork(hubScript, args, {
      stdio: 'pipe',
      serviceName: 'Concierge demo hub',
    });
}
