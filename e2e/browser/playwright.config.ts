import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium, MISSING_CHROMIUM } from '../support/chromium';

const chromium = findChromium();
if (chromium === undefined) throw new Error(MISSING_CHROMIUM);

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  workers: 1,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: '../../.cache/playwright-report.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromium, args: CHROMIUM_ARGS },
  },
});
