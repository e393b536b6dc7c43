import { defineConfig } from 'vite';

// `vite examples/web-qos2` serves the page on 127.0.0.1; `vite build examples/web-qos2` writes dist/.
export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // Top-level await in main.js.
  build: { target: 'es2022' },
});
