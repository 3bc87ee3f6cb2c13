// The Electron shell's entry. Everything else lives in ./electron (the only place that may import
// 'electron') and in the plain-Node services it hands small interfaces to.
import { runElectronApp } from './electron/app.js';

void runElectronApp();
