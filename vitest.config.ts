import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// "src" runs every test against the TypeScript sources: the @courier/source export condition
// resolves each @courier/* package to its src/. "dist" runs the tests of the public surface
// again against the built bundles, so that a broken build fails CI.
const sourceConditions = ['@courier/source', ...defaultServerConditions];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { conditions: sourceConditions },
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'src',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['packages/*/test/dist/**', '**/node_modules/**'],
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
        test: {
          name: 'dist',
          include: ['packages/*/test/**/*.public.test.ts', 'packages/*/test/dist/**/*.test.ts'],
        },
      },
    ],
  },
});
