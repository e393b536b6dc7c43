// Where Chromium is, and how to start it here. Playwright cannot download its own browsers on
// these machines: Debian's /usr/bin/chromium is used (TOOLCHAIN.md).
import { existsSync } from 'node:fs';

/** Flags for headless Chromium as root on a closed network (TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const MISSING_CHROMIUM =
  'no Chromium found: install one (`apt-get install -y chromium`, as .ci/run does) or set CHROMIUM_PATH to its executable';

/** The Chromium to launch: $CHROMIUM_PATH, Debian's /usr/bin/chromium, or Playwright's own; undefined if none. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
  if (found !== undefined) return found;
  return undefined;
}
