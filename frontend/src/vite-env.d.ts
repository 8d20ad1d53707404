/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_USER_SERVICE_URL?: string
  readonly VITE_PROFILE_SERVICE_URL?: string
}
