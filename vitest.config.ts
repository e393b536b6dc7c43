import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium, MISSING_CHROMIUM } from './e2e/support/chromium';

// "src" runs every test against the TypeScript sources: the @courier/source export condition
// resolves each @courier/* package to its src/. "dist" runs the tests of the public surface
// again against the built bundles, so that a broken build fails CI.
const sourceConditions = ['@courier/source', ...defaultServerConditions];

// A missing Chromium fails the browser tests with how to install one: never a silent skip.
const chromium = findChromium();
if (chromium === undefined) console.error(`vitest: ${MISSING_CHROMIUM}`);

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { conditions: sourceConditions },
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'src',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['packages/*/test/dist/**', 'packages/*/test/browser/**', '**/node_modules/**'],
        },
      },
      {
        resolve: { conditions: sourceConditions },
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'e2e',
          include: ['e2e/node/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Tests that need a real browser (Worker, IndexedDB, WebSocket) run in Chromium.
        resolve: { conditions: ['@courier/source', ...defaultClientConditions] },
        test: {
          name: 'browser',
          include: ['packages/*/test/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromium ?? MISSING_CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'dist',
          include: ['packages/*/test/**/*.public.test.ts', 'packages/*/test/dist/**/*.test.ts'],
        },
      },
    ],
  },
});
