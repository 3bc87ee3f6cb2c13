/** macOS uses ⌘ where other systems use Ctrl, and ⌥ for Alt. */
export const isMac = (): boolean =>
  /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export const modKey = (): string => (isMac() ? '⌘' : 'Ctrl');
export const altKey = (): string => (isMac() ? '⌥' : 'Alt');
