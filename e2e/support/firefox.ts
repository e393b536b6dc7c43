// Firefox here is Debian's firefox-esr: Playwright cannot drive it (its Firefox is a patched
// build; Debian's exits at once on Playwright's -juggler-pipe flag), so puppeteer-core drives it
// over WebDriver BiDi, the standard protocol Firefox speaks.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export const MISSING_FIREFOX =
  'no Firefox found: install one (`apt-get install -y firefox-esr`, as .ci/run does) or set FIREFOX_PATH to its executable';

/** The Firefox to launch: $FIREFOX_PATH or Debian's /usr/bin/firefox-esr; undefined if none. */
export function findFirefox(): string | undefined {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

/** Headless Firefox over WebDriver BiDi; throws MISSING_FIREFOX where there is none. */
export function launchFirefox(): Promise<Browser> {
  const executablePath = findFirefox();
  if (executablePath === undefined) throw new Error(MISSING_FIREFOX);
  return puppeteer.launch({ browser: 'firefox', executablePath, headless: true, timeout: 30_000 });
}
