/**
 * Where the services are, fixed when the page is built (Vite's `VITE_*` variables); the defaults
 * are where `pnpm dev` and `docker compose up` publish them. The page calls them cross-origin:
 * each service's CORS_ORIGINS must list the page's origin.
 */
export const config = {
  userServiceUrl: import.meta.env.VITE_USER_SERVICE_URL || 'http://127.0.0.1:3001',
  profileServiceUrl: import.meta.env.VITE_PROFILE_SERVICE_URL || 'http://127.0.0.1:3002',
  /** How long the page keeps waiting for a new profile before it offers "Try again". */
  profileWaitBudgetMs: 30_000,
} as const
