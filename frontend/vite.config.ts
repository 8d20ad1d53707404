import { defaultClientConditions, defineConfig } from 'vite'

export default defineConfig({
  // Workspace packages are used from source (the `source` export condition), as everywhere else.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // 127.0.0.1 rather than `localhost`, which Node may bind to ::1 only; the origin must also match
  // an entry of the services' CORS_ORIGINS.
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: { target: 'es2022' },
  clearScreen: false,
})
