import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Server paths the service worker must never answer with the app shell. */
const NOT_THE_APP = [/^\/api\//, /^\/ws(\/|$)/, /^\/hls\//, /^\/healthz$/, /^\/metrics$/];

export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      registerType: 'prompt',
      // The app registers the worker itself with workbox-window (src/pwa/registerSw.ts).
      injectRegister: false,
      includeAssets: ['icons/icon.svg'],
      manifest: {
        name: 'Parley video meetings',
        short_name: 'Parley',
        description: 'Open-source video meetings in your browser.',
        theme_color: '#1e3a5f',
        background_color: '#0f172a',
        start_url: '/',
        scope: '/',
        // Installed, the app takes the whole screen, as a call should on a phone (issue 19);
        // where a browser cannot, the manifest's fallback is standalone.
        display: 'fullscreen',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,svg,png,webmanifest}'],
        // hls.js (~116 KB gzipped) is only for viewers: fetched when watching, not installed.
        // pdf.js (~134 KB gzipped; its worker is an .mjs, outside globPatterns) only for slides.
        globIgnores: ['**/hls.light-*.js', '**/pdf-*.js'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: NOT_THE_APP,
        // A first visit is controlled at once, so the shell works offline right after it.
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        // Web Push (issue 21): the push and notificationclick handlers, a plain script from
        // public/ that the generated worker imports (no need for injectManifest).
        importScripts: ['/push-sw.js'],
      },
    }),
  ],
  server: {
    // `npm run dev -w app` next to `npm run serve`: forward the API and socket to the server.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
});
